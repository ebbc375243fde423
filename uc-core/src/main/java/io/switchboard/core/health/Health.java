package io.switchboard.core.health;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state of each component, as shown by {@code /api/health}. Components report themselves; the
 * composition root registers them in start order, so an absent component has not started yet.
 */
public final class Health {

  /** A component's state. {@code NOT_CONFIGURED} is healthy: the operator chose not to use it. */
  public enum State { STARTING, UP, DOWN, NOT_CONFIGURED }

  private record Entry(State state, JsonObject details) {
  }

  private final Map<String, Entry> components = new ConcurrentHashMap<>();

  public void report(String component, State state, JsonObject details) {
    components.put(component, new Entry(state, details == null ? new JsonObject() : details.copy()));
  }

  public void report(String component, State state) {
    report(component, state, null);
  }

  public State state(String component) {
    Entry e = components.get(component);
    return e == null ? State.STARTING : e.state();
  }

  /** True when every registered component is up or deliberately not configured. */
  public boolean healthy() {
    return components.values().stream().allMatch(e -> e.state() == State.UP || e.state() == State.NOT_CONFIGURED);
  }

  public JsonObject toJson() {
    JsonObject comps = new JsonObject();
    components.forEach((name, e) -> comps.put(name, e.details().copy().put("state", e.state().name().toLowerCase().replace('_', '-'))));
    return new JsonObject().put("status", healthy() ? "up" : "degraded").put("components", comps);
  }
}
