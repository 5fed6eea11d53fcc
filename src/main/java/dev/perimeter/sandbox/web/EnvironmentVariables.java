package dev.perimeter.sandbox.web;

/** The limits on environment variables a create or an exec may set, shared by their request bodies. */
final class EnvironmentVariables {

    /** A POSIX-portable variable name. */
    static final String NAME = "[A-Za-z_][A-Za-z0-9_]{0,127}";

    static final String NAME_MESSAGE = "names must be letters, digits and _, not starting with a digit";

    static final int MAX_COUNT = 128;

    static final int MAX_VALUE_LENGTH = 32768;

    private EnvironmentVariables() {}
}
