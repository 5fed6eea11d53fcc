package dev.perimeter.shared;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings every module reads.
 *
 * @param dataDir where the embedded database, sandbox workspaces, snapshots and the generated admin key live
 */
@ConfigurationProperties("perimeter")
public record PerimeterProperties(@DefaultValue(".perimeter") Path dataDir) {}
