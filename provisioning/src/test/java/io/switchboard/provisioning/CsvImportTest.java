package io.switchboard.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Checking a CSV file, without a store: the users API's rules, per line and field. */
class CsvImportTest {

  @Test
  void aUsernameThatLooksLikeARoomIsRefusedOnItsLine() {
    String csv = "username,displayName,password\n"
        + "dora,Dora,dora-web-pw\n"
        + "room-service,Room Service,service-pw\n";
    CsvImport.Plan plan = CsvImport.plan(csv, 100, List.of(), List.of());
    assertEquals(1, plan.errors().size(), plan.errors().toString());
    CsvImport.Error e = plan.errors().get(0);
    assertEquals(3, e.line());
    assertEquals("username", e.field());
    assertTrue(e.message().contains("room-"), e.message());
  }
}
