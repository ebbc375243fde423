package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The server's side of SCRAM-SHA-256 on RFC 7677's example (section 3), and what it refuses. */
class ScramSha256Test {

  private static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
  private static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  private static final String NONCE = CLIENT_NONCE + SERVER_NONCE;
  private static final String PROOF = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";

  private final ScramSha256 rfc = ScramSha256.forPassword("user", "pencil",
      Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096, () -> SERVER_NONCE);

  @Test
  void rfc7677sExampleConversation() throws Exception {
    ScramSha256.Conversation c = rfc.start("n,,n=user,r=" + CLIENT_NONCE);
    assertEquals("r=" + NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", c.serverFirst());
    assertEquals("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", c.finish("c=biws,r=" + NONCE + ",p=" + PROOF));
  }

  @Test
  void aWrongProofAnotherNonceOrBindingFail() throws Exception {
    String wrongProof = "eHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    assertThrows(ScramSha256.Failed.class,
        () -> rfc.start("n,,n=user,r=" + CLIENT_NONCE).finish("c=biws,r=" + NONCE + ",p=" + wrongProof));
    assertThrows(ScramSha256.Failed.class,
        () -> rfc.start("n,,n=user,r=" + CLIENT_NONCE).finish("c=biws,r=" + CLIENT_NONCE + "x,p=" + PROOF));
    assertThrows(ScramSha256.Failed.class,
        () -> rfc.start("n,,n=user,r=" + CLIENT_NONCE).finish("c=eSws,r=" + NONCE + ",p=" + PROOF));
    assertThrows(ScramSha256.Failed.class,
        () -> rfc.start("n,,n=user,r=" + CLIENT_NONCE).finish("c=biws,r=" + NONCE));
    assertThrows(ScramSha256.Failed.class, () -> rfc.start("p=tls-unique,,n=user,r=" + CLIENT_NONCE));
    assertThrows(ScramSha256.Failed.class, () -> rfc.start("n,,r=" + CLIENT_NONCE));
  }

  @Test
  void anUnknownUserGetsAChallengeAndFailsOnlyAtTheProof() throws Exception {
    ScramSha256.Conversation c = rfc.start("n,,n=mallory,r=" + CLIENT_NONCE);
    assertEquals("r=" + NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", c.serverFirst(), "the same answer as for a user");
    assertEquals("mallory", c.user());
    assertThrows(ScramSha256.Failed.class, () -> c.finish("c=biws,r=" + NONCE + ",p=" + PROOF));
  }
}
