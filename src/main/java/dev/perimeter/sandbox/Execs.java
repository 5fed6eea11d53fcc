package dev.perimeter.sandbox;

import java.time.Instant;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

/** Records of commands run in sandboxes. */
interface Execs extends JpaRepository<Exec, String> {

    /** Records how a command ended, in one statement. */
    @Modifying
    @Query(
            """
            update Exec e set e.exitCode = :exitCode, e.timedOut = :timedOut, e.truncated = :truncated,
                e.durationMs = :durationMs, e.endedAt = :endedAt
            where e.id = :id""")
    int recordEnd(String id, int exitCode, boolean timedOut, boolean truncated, long durationMs, Instant endedAt);
}
