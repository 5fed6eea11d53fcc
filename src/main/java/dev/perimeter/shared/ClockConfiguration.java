package dev.perimeter.shared;

import java.time.Clock;
import java.time.Duration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one clock every module reads time from (so that tests can move it), and the settings every module reads. The
 * clock ticks in microseconds, as Postgres stores time, so a timestamp answered before a reload equals the one after.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PerimeterProperties.class)
class ClockConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.tick(Clock.systemUTC(), Duration.ofNanos(1_000));
    }
}
