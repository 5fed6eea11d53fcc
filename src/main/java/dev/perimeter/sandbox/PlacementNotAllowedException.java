package dev.perimeter.sandbox;

import dev.perimeter.shared.PerimeterException;
import org.springframework.http.HttpStatus;

/** The tenant may not place sandboxes on that provider or in that region. */
public class PlacementNotAllowedException extends PerimeterException {

    private PlacementNotAllowedException(String slug, String title, String detail) {
        super(HttpStatus.FORBIDDEN, slug, title, detail);
    }

    static PlacementNotAllowedException provider(String provider) {
        return new PlacementNotAllowedException(
                "provider-not-allowed", "Provider not allowed", "This tenant may not use provider '" + provider + "'");
    }

    static PlacementNotAllowedException region(String region) {
        return new PlacementNotAllowedException(
                "region-not-allowed", "Region not allowed", "This tenant may not use region '" + region + "'");
    }
}
