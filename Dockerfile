# syntax=docker/dockerfile:1
# Perimeter container image, after Spring Boot's "Dockerfiles" guide: build the jar, extract it
# into layers (dependencies change rarely, the application often), run it on a JRE as non-root.
#
#   docker build -t perimeter .
#   docker run -p 8080:8080 -e PERIMETER_BOOTSTRAP_ADMIN_KEY=... perimeter
#
# With no database configured the image starts an embedded PostgreSQL in PERIMETER_DATA_DIR; set
# SPRING_DATASOURCE_URL/_USERNAME/_PASSWORD (or DATABASE_URL) to use an external one. The local
# sandbox provider runs bubblewrap, which needs unprivileged user namespaces; Docker's default
# seccomp profile blocks them, so a container using SANDBOX_PROVIDER=local needs
# `--security-opt seccomp=unconfined` (and on Ubuntu hosts an AppArmor profile allowing userns).

FROM eclipse-temurin:25-jdk AS build
WORKDIR /build
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY db/ db/
COPY src/ src/
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -DskipTests package
RUN java -Djarmode=tools -jar target/perimeter-*.jar extract --layers --launcher --destination extracted

FROM eclipse-temurin:25-jre
RUN apt-get update \
    && apt-get install -y --no-install-recommends bubblewrap \
    && rm -rf /var/lib/apt/lists/*
# A named user, not just a uid: the embedded PostgreSQL's initdb refuses to run as a uid without a passwd entry.
RUN groupadd --gid 10001 perimeter \
    && useradd --uid 10001 --gid 10001 --home-dir /var/lib/perimeter --no-create-home \
        --shell /usr/sbin/nologin perimeter \
    && mkdir -p /var/lib/perimeter \
    && chown 10001:10001 /var/lib/perimeter
WORKDIR /application
COPY --from=build /build/extracted/dependencies/ ./
COPY --from=build /build/extracted/spring-boot-loader/ ./
COPY --from=build /build/extracted/snapshot-dependencies/ ./
COPY --from=build /build/extracted/application/ ./
ENV PERIMETER_DATA_DIR=/var/lib/perimeter
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["java","org.springframework.boot.loader.launch.JarLauncher"]
