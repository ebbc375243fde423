package io.switchboard.presence;

import io.switchboard.core.model.Device;

/**
 * One of a presentity's devices as PIDF shows it (one {@code <tuple>} each, RFC 4479): a registered
 * device or the open console.
 *
 * @param id the device's id ({@code DeviceUses#idOf}: the provisioned id, else the binding's key; {@code console})
 * @param kind its class
 * @param inUse whether it is the device in use ({@code DevicesInUse})
 */
public record DeviceTuple(String id, Device.Kind kind, boolean inUse) {
}
