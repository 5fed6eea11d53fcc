package dev.perimeter.support;

import dev.perimeter.PerimeterApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Several Perimeter replicas in this JVM: separate application contexts, each with its own web server, connection
 * pool and scheduler, on the one test PostgreSQL and one data dir, like pods behind a service.
 */
public final class Replicas implements AutoCloseable {

    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

    private Replicas() {}

    /** Starts {@code count} replicas with the test admin key and the extra properties. */
    public static Replicas start(int count, Map<String, String> properties) {
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("perimeter-replicas-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Replicas replicas = new Replicas();
        try {
            for (int i = 0; i < count; i++) {
                Map<String, Object> all = new HashMap<>();
                all.put("server.port", "0");
                all.put("spring.datasource.url", TestDatabase.jdbcUrl());
                all.put("spring.datasource.username", "postgres");
                all.put("perimeter.data-dir", dataDir.toString());
                all.put("perimeter.bootstrap-admin-key", ApiTestSupport.ADMIN_KEY);
                all.put("spring.datasource.hikari.maximum-pool-size", "20");
                all.putAll(properties);
                String[] arguments = all.entrySet().stream()
                        .map(property -> "--" + property.getKey() + "=" + property.getValue())
                        .toArray(String[]::new);
                replicas.contexts.add(new SpringApplicationBuilder(PerimeterApplication.class).run(arguments));
            }
        } catch (RuntimeException e) {
            replicas.close();
            throw e;
        }
        return replicas;
    }

    /** The replicas' application contexts. */
    public List<ConfigurableApplicationContext> contexts() {
        return contexts;
    }

    /** An API client for replica {@code index}. */
    public Api api(int index) {
        return new Api(((WebServerApplicationContext) contexts.get(index))
                .getWebServer()
                .getPort());
    }

    /** A bean of replica {@code index}. */
    public <T> T bean(int index, Class<T> type) {
        return contexts.get(index).getBean(type);
    }

    @Override
    public void close() {
        contexts.forEach(ConfigurableApplicationContext::close);
    }
}
