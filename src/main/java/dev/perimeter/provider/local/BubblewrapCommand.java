package dev.perimeter.provider.local;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.ExecSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A fresh bubblewrap sandbox per command over the persistent workspace: new user, PID, IPC, UTS, cgroup and (unless
 * the sandbox allows all egress) network namespaces; uid/gid 1000; no capabilities; a read-only root holding {@code
 * /usr}, a few {@code /etc} files, a private {@code /tmp}, and the workspace read-write at {@code /workspace}. The
 * sandbox dies with the server and is its own session, so it cannot push input into the server's terminal.
 */
final class BubblewrapCommand implements Launcher {

    static final String WORKSPACE = "/workspace";

    private static final List<String> SYSTEM_DIRS = List.of("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32");
    private static final List<String> ETC = List.of(
            "ld.so.cache",
            "ld.so.conf",
            "ld.so.conf.d",
            "alternatives",
            "ssl",
            "ca-certificates",
            "passwd",
            "group",
            "nsswitch.conf",
            "hosts",
            "localtime");
    private static final List<String> ETC_NETWORK =
            List.of("resolv.conf", "host.conf", "gai.conf", "services", "protocols");
    private static final String SANDBOX_ID = "1000";

    private final Path bwrap;

    BubblewrapCommand(Path bwrap) {
        this.bwrap = bwrap;
    }

    @Override
    public boolean isolated() {
        return true;
    }

    @Override
    public HostCommand prepare(Path workspace, SandboxSettings settings, ExecSpec spec) throws IOException {
        boolean network = settings.egress() == EgressMode.ALLOW_ALL;
        List<String> argv = new ArrayList<>(List.of(bwrap.toString(), "--unshare-all"));
        if (network) {
            argv.add("--share-net");
        }
        argv.addAll(List.of("--unshare-user", "--uid", SANDBOX_ID, "--gid", SANDBOX_ID));
        argv.addAll(List.of("--die-with-parent", "--new-session", "--cap-drop", "ALL"));
        argv.addAll(List.of("--ro-bind", "/usr", "/usr"));
        for (String dir : SYSTEM_DIRS) {
            systemDir(argv, Path.of(dir));
        }
        ETC.forEach(name -> etcFile(argv, name));
        if (network) {
            ETC_NETWORK.forEach(name -> etcFile(argv, name));
        }
        argv.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"));
        argv.addAll(List.of("--bind", workspace.toString(), WORKSPACE, "--remount-ro", "/"));
        argv.addAll(List.of("--chdir", workingDirectory(spec.cwd()), "--clearenv"));
        for (Map.Entry<String, String> variable :
                ExecEnvironment.merge(WORKSPACE, settings.env(), spec.env()).entrySet()) {
            argv.addAll(List.of("--setenv", variable.getKey(), variable.getValue()));
        }
        argv.add("--");
        argv.addAll(spec.command());
        return new HostCommand(argv, workspace, Map.of());
    }

    /** The sandbox's working directory: relative paths are relative to the workspace. */
    static String workingDirectory(@Nullable String cwd) {
        if (cwd == null || cwd.isBlank()) {
            return WORKSPACE;
        }
        return cwd.startsWith("/") ? cwd : WORKSPACE + "/" + cwd;
    }

    /** {@code /bin} and friends: a link on merged-/usr systems, kept as one; otherwise bound read-only. */
    private static void systemDir(List<String> argv, Path dir) throws IOException {
        if (Files.isSymbolicLink(dir)) {
            argv.addAll(List.of("--symlink", Files.readSymbolicLink(dir).toString(), dir.toString()));
        } else if (Files.isDirectory(dir)) {
            argv.addAll(List.of("--ro-bind", dir.toString(), dir.toString()));
        }
    }

    private static void etcFile(List<String> argv, String name) {
        Path file = Path.of("/etc", name);
        if (Files.exists(file)) {
            argv.addAll(List.of("--ro-bind", file.toString(), file.toString()));
        }
    }
}
