package dev.perimeter.tunnel;

/** A tunnel was archived: its live connections are to be closed. Published after the change commits. */
public record TunnelArchived(String tunnelId) {}
