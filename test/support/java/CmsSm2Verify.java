import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * An independent check of the PDF signatures' CMS: BouncyCastle verifies a detached SignedData
 * (args: the DER file, the signed content file) with the certificate it carries. BouncyCastle
 * computes SM2's Z with the default user ID 1234567812345678, as GM/T 0009 requires, where
 * OpenSSL 3.0's CMS uses an empty ID.
 *
 * Prints one line per signer: VERIFIED or FAILED, the signature algorithm OID, the digest algorithm
 * OID, the signer's subject and the public key (04 || x || y, hex); exits 1 on any failure.
 */
public class CmsSm2Verify {
  public static void main(String[] args) throws Exception {
    Security.addProvider(new BouncyCastleProvider());
    byte[] cms = Files.readAllBytes(Path.of(args[0]));
    byte[] content = Files.readAllBytes(Path.of(args[1]));
    CMSSignedData signed = new CMSSignedData(new CMSProcessableByteArray(content), cms);
    boolean all = true;
    for (SignerInformation signer : signed.getSignerInfos().getSigners()) {
      @SuppressWarnings("unchecked")
      X509CertificateHolder cert = (X509CertificateHolder) signed.getCertificates().getMatches(signer.getSID()).iterator().next();
      boolean ok = signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(cert));
      byte[] key = cert.getSubjectPublicKeyInfo().getPublicKeyData().getBytes();
      StringBuilder hex = new StringBuilder();
      for (byte b : key) hex.append(String.format("%02x", b));
      System.out.println((ok ? "VERIFIED " : "FAILED ") + signer.getEncryptionAlgOID() + " " + signer.getDigestAlgOID() + " " + cert.getSubject() + " " + hex);
      all &= ok;
    }
    System.exit(all ? 0 : 1);
  }
}
