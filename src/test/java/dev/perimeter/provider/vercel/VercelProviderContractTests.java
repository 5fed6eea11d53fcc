package dev.perimeter.provider.vercel;

import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxProviderContractTests;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;

/** The provider contract, against the fake Vercel Sandbox API. */
class VercelProviderContractTests extends SandboxProviderContractTests {

    private static final FakeVercel FAKE = new FakeVercel();
    private static final SandboxProvider PROVIDER = VercelTestProviders.against(FAKE, Duration.ofSeconds(10));

    @AfterAll
    static void stopFake() {
        FAKE.close();
    }

    @Override
    protected SandboxProvider provider() {
        return PROVIDER;
    }

    /** Vercel streams output as JSON strings: "the command output channel is UTF-8 only" (the SDK's sandbox-user.ts). */
    @Override
    protected boolean commandOutputIsBinarySafe() {
        return false;
    }
}
