package dev.perimeter.sandbox;

import org.springframework.data.jpa.repository.JpaRepository;

/** Records of commands run in sandboxes. */
interface Execs extends JpaRepository<Exec, String> {}
