package dev.perimeter.tenant;

import dev.perimeter.shared.NotFoundException;

/** No tenant has that id. */
public class NoSuchTenantException extends NotFoundException {

    public NoSuchTenantException(String tenantId) {
        super("tenant", tenantId);
    }
}
