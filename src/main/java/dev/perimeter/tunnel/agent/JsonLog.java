package dev.perimeter.tunnel.agent;

import java.io.PrintStream;
import java.time.Instant;

/** The agent's log: one JSON object per line on standard error, with the stream's correlation id when there is one. */
final class JsonLog {

    private static final PrintStream OUT = System.err;

    private JsonLog() {}

    static void info(String message, Object... fields) {
        write("INFO", message, fields);
    }

    static void warn(String message, Object... fields) {
        write("WARN", message, fields);
    }

    static void error(String message, Object... fields) {
        write("ERROR", message, fields);
    }

    /** Fields come in name, value pairs. */
    private static void write(String level, String message, Object... fields) {
        StringBuilder line = new StringBuilder(128)
                .append("{\"ts\":\"")
                .append(Instant.now())
                .append("\",\"level\":\"")
                .append(level)
                .append("\",\"logger\":\"tunnel-agent\",\"message\":");
        quote(line, message);
        for (int i = 0; i + 1 < fields.length; i += 2) {
            line.append(',');
            quote(line, String.valueOf(fields[i]));
            line.append(':');
            Object value = fields[i + 1];
            if (value instanceof Number || value instanceof Boolean) {
                line.append(value);
            } else {
                quote(line, String.valueOf(value));
            }
        }
        line.append('}');
        OUT.println(line);
    }

    private static void quote(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
