package dev.perimeter.tunnel;

import dev.perimeter.shared.PerimeterException;
import org.springframework.http.HttpStatus;

/** The tunnel belongs to a region this deployment does not serve, or the tenant may not use (403). */
public class TunnelRegionException extends PerimeterException {

    TunnelRegionException(String detail, String region) {
        super(HttpStatus.FORBIDDEN, "region-not-allowed", "Region not allowed", detail);
        extend("region", region);
    }
}
