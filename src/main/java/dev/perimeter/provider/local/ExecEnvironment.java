package dev.perimeter.provider.local;

import dev.perimeter.shared.ValidationFailedException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** The environment a sandboxed command sees: a fixed base, then the sandbox's variables, then the exec's. */
final class ExecEnvironment {

    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private ExecEnvironment() {}

    /** Refuses names a shell could not export and values a process environment cannot hold. */
    static void validate(String field, Map<String, String> env) {
        for (Map.Entry<String, String> variable : env.entrySet()) {
            if (!NAME.matcher(variable.getKey()).matches()) {
                throw new ValidationFailedException(
                        field, "'" + abbreviate(variable.getKey()) + "' is not a valid variable name");
            }
            if (variable.getValue().indexOf('\0') >= 0) {
                throw new ValidationFailedException(field, variable.getKey() + " contains a NUL character");
            }
        }
    }

    /** Base variables with {@code HOME} set to {@code home}, overridden by the sandbox's, then by the exec's. */
    static Map<String, String> merge(String home, Map<String, String> sandbox, Map<String, String> exec) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", PATH);
        env.put("HOME", home);
        env.put("LANG", "C.UTF-8");
        env.putAll(new TreeMap<>(sandbox));
        env.putAll(new TreeMap<>(exec));
        return env;
    }

    private static String abbreviate(String name) {
        return name.length() > 64 ? name.substring(0, 64) + "…" : name;
    }
}
