import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.asn1.gm.GMNamedCurves;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.engines.SM2Engine;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.util.encoders.Hex;

/**
 * An independent implementation of the YRD envelope, as another province would write it with
 * BouncyCastle: SM2Engine in C1C3C2 mode (its output is 04 ‖ x1 ‖ y1 ‖ C3 ‖ C2), Hex.toHexString,
 * then Base64 of that text.
 *
 *   encrypt <publicKeyHex> <plaintextFile>   prints the envelope
 *   decrypt <privateKeyHex> <envelopeFile>   prints the plaintext (UTF-8); exits 1 when C3 does not match
 */
public class Sm2Envelope {
  public static void main(String[] args) throws Exception {
    X9ECParameters x9 = GMNamedCurves.getByName("sm2p256v1");
    ECDomainParameters domain = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH());
    SM2Engine engine = new SM2Engine(SM2Engine.Mode.C1C3C2);
    byte[] input = Files.readAllBytes(Path.of(args[2]));
    if (args[0].equals("encrypt")) {
      ECPublicKeyParameters pub = new ECPublicKeyParameters(x9.getCurve().decodePoint(Hex.decode(args[1])), domain);
      engine.init(true, new ParametersWithRandom(pub, new SecureRandom()));
      byte[] c = engine.processBlock(input, 0, input.length);
      System.out.print(Base64.getEncoder().encodeToString(Hex.toHexString(c).getBytes(StandardCharsets.US_ASCII)));
    } else {
      engine.init(false, new ECPrivateKeyParameters(new BigInteger(args[1], 16), domain));
      byte[] hex = Base64.getMimeDecoder().decode(new String(input, StandardCharsets.US_ASCII).trim());
      byte[] c = Hex.decode(new String(hex, StandardCharsets.US_ASCII));
      try {
        System.out.write(engine.processBlock(c, 0, c.length));
        System.out.flush();
      } catch (org.bouncycastle.crypto.InvalidCipherTextException e) {
        System.err.println("FAILED " + e.getMessage());
        System.exit(1);
      }
    }
  }
}
