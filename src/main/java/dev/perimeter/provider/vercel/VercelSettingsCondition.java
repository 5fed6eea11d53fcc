package dev.perimeter.provider.vercel;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Whether the Vercel settings (token, team, project) are all present, read as the properties record binds them. */
abstract class VercelSettingsCondition implements Condition {

    private final boolean wantPresent;

    VercelSettingsCondition(boolean wantPresent) {
        this.wantPresent = wantPresent;
    }

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        VercelProviderProperties properties = Binder.get(context.getEnvironment())
                .bindOrCreate("perimeter.providers.vercel", VercelProviderProperties.class);
        return properties.missingSettings().isEmpty() == wantPresent;
    }

    /** Every setting is present. */
    static final class Present extends VercelSettingsCondition {
        Present() {
            super(true);
        }
    }

    /** At least one setting is missing. */
    static final class Missing extends VercelSettingsCondition {
        Missing() {
            super(false);
        }
    }
}
