# syntax=docker/dockerfile:1
# dindex daemon image: `docker build -t dindex:0.1.0 .` (or `podman build -t dindex:0.1.0 .`).
# Untested here: the build machines have no container runtime. DeploymentManifestsTest checks what can be checked
# without one (launch command = k8s/statefulset.yaml's command + args, the jar path, JVM flags, non-root user).

# ---- build: the fat jar target/dindex.jar (daemon/pom.xml <finalName>dindex</finalName> in the top target/,
# Main-Class org.dindex.cli.Main). The reactor: pom.xml (parent), client/ (dindex-client), daemon/ (whose sources
# are the top-level src/, conf/ and webroot/).
FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
ENV MAVEN_OPTS=--sun-misc-unsafe-memory-access=allow
COPY pom.xml ./
COPY protocol/pom.xml ./protocol/
COPY protocol/src/main ./protocol/src/main
COPY client/pom.xml ./client/
COPY client/src/main ./client/src/main
COPY config/pom.xml ./config/
COPY config/src/main ./config/src/main
COPY extract/pom.xml ./extract/
COPY extract/src/main ./extract/src/main
COPY cli/pom.xml ./cli/
COPY cli/src/main ./cli/src/main
COPY daemon/pom.xml ./daemon/
COPY conf ./conf
COPY webroot ./webroot
COPY src/main ./src/main
# Tests are not compiled nor run here (mvn verify runs on the build machines); mdep.skip skips unpacking test data.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -Dmaven.test.skip=true -Dmdep.skip=true package

# ---- runtime
FROM eclipse-temurin:25-jre
# A fixed non-root uid/gid: k8s/statefulset.yaml runs as 10001 too (runAsNonRoot needs a numeric USER).
RUN groupadd --system --gid 10001 dindex \
 && useradd --system --uid 10001 --gid dindex --home-dir /var/lib/dindex --no-create-home \
      --shell /usr/sbin/nologin dindex \
 && mkdir -p /opt/dindex /var/lib/dindex /run/dindex /var/cache/dindex \
 && chown dindex:dindex /var/lib/dindex /run/dindex /var/cache/dindex \
 && chmod 0700 /var/lib/dindex /run/dindex \
 && printf '%s\n' '#!/bin/sh' \
      '# The dindex CLI; finds the daemon through DINDEX_SOCKET (set in the image and the StatefulSet).' \
      'exec java --enable-native-access=ALL-UNNAMED -jar /opt/dindex/dindex.jar "$@"' \
      > /usr/local/bin/dindex \
 && chmod 0755 /usr/local/bin/dindex
COPY --from=build /src/target/dindex.jar /opt/dindex/dindex.jar

# Paths as in the StatefulSet. Without a config file (DINDEX_CONFIG) every setting has its default, except the
# listen address: 0.0.0.0 so that `docker run -p 10150:10150` reaches the HTTP API. The CLI inside the container
# (`docker exec CONTAINER dindex search ...`) finds the socket through DINDEX_SOCKET and never starts a daemon.
ENV DINDEX_DATA_DIR=/var/lib/dindex \
    DINDEX_SOCKET=/run/dindex/socket/dindex.sock \
    DJL_CACHE_DIR=/var/cache/dindex/djl \
    DINDEX_NO_AUTOSTART=1 \
    DINDEX_HTTP_HOST=0.0.0.0
USER 10001:10001
WORKDIR /opt/dindex
EXPOSE 10150
# SIGTERM: graceful stop within daemon.shutdown_timeout_ms (30 s): give `docker stop -t 45` or more.
STOPSIGNAL SIGTERM
# The daemon in the foreground, as bin/dindex launches it (same JVM flags) plus container heap sizing.
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseG1GC", "-XX:MaxRAMPercentage=50.0", "-XX:+ExitOnOutOfMemoryError", "-XX:ErrorFile=/tmp/hs_err_pid%p.log", "-jar", "/opt/dindex/dindex.jar"]
CMD ["daemon", "start", "--foreground"]
