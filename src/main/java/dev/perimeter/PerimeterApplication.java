package dev.perimeter;

import dev.perimeter.tunnel.TunnelAgentCommand;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;

@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
public class PerimeterApplication {

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && TunnelAgentCommand.NAME.equals(args[0])) {
            TunnelAgentCommand.run(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        SpringApplication.run(PerimeterApplication.class, args);
    }
}
