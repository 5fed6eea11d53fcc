package dev.perimeter.database;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.StringUtils;

/**
 * Lets platform teams point Perimeter at Postgres with the conventional {@code DATABASE_URL}, either a JDBC URL or a
 * {@code postgres://user:password@host:port/db} URL. An explicit {@code spring.datasource.url} wins.
 */
class DatabaseUrlEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String VARIABLE = "DATABASE_URL";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String databaseUrl = environment.getProperty(VARIABLE);
        if (!StringUtils.hasText(databaseUrl)
                || StringUtils.hasText(environment.getProperty("spring.datasource.url"))) {
            return;
        }
        environment
                .getPropertySources()
                .addLast(new MapPropertySource("databaseUrl", toDatasourceProperties(databaseUrl)));
    }

    static Map<String, Object> toDatasourceProperties(String databaseUrl) {
        Map<String, Object> properties = new HashMap<>();
        if (databaseUrl.startsWith("jdbc:")) {
            properties.put("spring.datasource.url", databaseUrl);
            return properties;
        }
        URI uri = URI.create(databaseUrl);
        if (!"postgres".equals(uri.getScheme()) && !"postgresql".equals(uri.getScheme())) {
            throw new IllegalArgumentException(
                    VARIABLE + " must be a jdbc:postgresql:// or postgres:// URL, not a " + uri.getScheme() + " URL");
        }
        String port = uri.getPort() > 0 ? ":" + uri.getPort() : "";
        String query = uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "";
        properties.put("spring.datasource.url", "jdbc:postgresql://" + uri.getHost() + port + uri.getRawPath() + query);
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            String[] parts = userInfo.split(":", 2);
            properties.put("spring.datasource.username", decode(parts[0]));
            if (parts.length == 2) {
                properties.put("spring.datasource.password", decode(parts[1]));
            }
        }
        return properties;
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }
}
