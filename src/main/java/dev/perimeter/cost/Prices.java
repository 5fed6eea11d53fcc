package dev.perimeter.cost;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

/** The price list. */
interface Prices extends JpaRepository<Price, String> {

    List<Price> findAllByOrderByProvider();
}
