package dev.perimeter.tunnel;

import dev.perimeter.shared.ValidationFailedException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.regex.Pattern;

/** Checks a CA certificate before it goes to Anthropic: one PEM X.509 CA certificate, no key, at most 8 KB. */
final class CaCertificates {

    static final String FIELD = "caCertificatePem";
    private static final int MAX_BYTES = 8 * 1024;
    private static final Pattern SHAPE =
            Pattern.compile("\\s*-----BEGIN CERTIFICATE-----\\s*[A-Za-z0-9+/=\\s]+-----END CERTIFICATE-----\\s*");

    private CaCertificates() {}

    static void check(String pem) {
        if (pem.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new ValidationFailedException(FIELD, "must be at most 8 KB");
        }
        if (!SHAPE.matcher(pem).matches()) {
            throw new ValidationFailedException(
                    FIELD, "must be exactly one PEM certificate (-----BEGIN CERTIFICATE-----) and nothing else");
        }
        Collection<? extends java.security.cert.Certificate> parsed;
        try {
            parsed = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException | RuntimeException e) {
            throw new ValidationFailedException(FIELD, "is not a readable X.509 certificate");
        }
        if (parsed.size() != 1 || !(parsed.iterator().next() instanceof X509Certificate certificate)) {
            throw new ValidationFailedException(FIELD, "must hold exactly one X.509 certificate");
        }
        if (certificate.getBasicConstraints() < 0) {
            throw new ValidationFailedException(FIELD, "must be a CA certificate (basicConstraints CA:TRUE)");
        }
    }
}
