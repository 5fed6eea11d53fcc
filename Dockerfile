# syntax=docker/dockerfile:1
# Perimeter's container image: build the jar with Maven on a JDK, extract it into layers (dependencies change rarely,
# the application often), record an AOT cache in a training start, and run it on a JRE as a non-root user.
#
#   docker build -t perimeter .
#   docker run -p 8080:8080 -e DATABASE_URL='postgres://user:password@db.example.com:5432/perimeter' \
#     -e PERIMETER_BOOTSTRAP_ADMIN_KEY="$(openssl rand -hex 32)" -e SANDBOX_PROVIDER=daytona -e DAYTONA_API_KEY=... perimeter
#
# With no database configured it starts an embedded PostgreSQL in PERIMETER_DATA_DIR (trials). The image keeps
# bubblewrap for the local provider of such single-host trials, which needs unprivileged user namespaces: Docker's
# default seccomp profile refuses them, so `docker run --security-opt seccomp=unconfined` (and on Ubuntu hosts an
# AppArmor profile allowing userns). In a cluster the Helm chart switches the local provider off and uses the
# kubernetes provider or a remote one.

FROM eclipse-temurin:25-jdk AS build
WORKDIR /build
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY db/ db/
COPY src/ src/
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -DskipTests package \
    && cp target/perimeter-*.jar perimeter.jar
# Without --launcher the layers hold app.jar plus lib/: a plain class path, which an AOT cache needs (classes loaded
# by Spring Boot's launcher class loader cannot be cached).
RUN java -Djarmode=tools -jar perimeter.jar extract --layers --destination extracted

FROM eclipse-temurin:25-jre
RUN apt-get update \
    && apt-get install -y --no-install-recommends bubblewrap \
    && rm -rf /var/lib/apt/lists/* \
    && find / -xdev -type f -perm /6000 -exec chmod a-s {} +
# A named user, not just a uid: the embedded PostgreSQL's initdb refuses to run as a uid without a passwd entry.
RUN groupadd --gid 10001 perimeter \
    && useradd --uid 10001 --gid 10001 --home-dir /var/lib/perimeter --no-create-home \
        --shell /usr/sbin/nologin perimeter \
    && mkdir -p /var/lib/perimeter /application/aot \
    && chown 10001:10001 /var/lib/perimeter /application/aot
WORKDIR /application
COPY --from=build /build/extracted/dependencies/ ./
COPY --from=build /build/extracted/spring-boot-loader/ ./
COPY --from=build /build/extracted/snapshot-dependencies/ ./
COPY --from=build /build/extracted/application/ ./
ENV PERIMETER_DATA_DIR=/var/lib/perimeter
USER 10001:10001
# Training start: the application starts up to a refreshed context (on a throw-away embedded database) and exits,
# and the JVM records the classes it loaded and linked into app.aot (JDK 25, JEP 483/514/515). G1 is named in both
# runs: in JDK 25 cached heap objects are specific to the collector, and a small container would otherwise get Serial.
RUN PERIMETER_DATA_DIR=/tmp/aot-training java -XX:+UseG1GC -XX:AOTCacheOutput=aot/app.aot \
        -Dspring.context.exit=onRefresh \
        -jar app.jar \
    && rm -rf /tmp/aot-training /tmp/embedded-pg
USER root
RUN chown -R root:root /application/aot && chmod 0444 /application/aot/app.aot
USER 10001:10001
EXPOSE 8080
# Arguments after the image name (e.g. `tunnel-agent`) reach the application's main method.
ENTRYPOINT ["java", "-XX:+UseG1GC", "-XX:AOTCache=aot/app.aot", "-jar", "app.jar"]
