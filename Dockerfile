# The dindex image, made from the release: bin/release writes dist/dindex-VERSION-linux-ARCH.tar.gz, and ADD unpacks
# that tarball into the image as it is, so the image holds exactly the tree ReleaseTest unpacks and runs with a Java
# runtime only (bin/dindex, lib/dindex.jar with the models, lib/dindex-cluster.jar, lib/dindex-cli.jar, conf/,
# completion, man page, LICENSE, NOTICE). Build (Docker or Podman; not run on the machines this project is built on, see k8s/README.md):
#
#   bin/release && docker build -t dindex:0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" .
#
# VERSION must name the tarball: the pom's version (DeploymentManifestsTest keeps the default equal to it). ARCH is
# the release's architecture, that of the image's platform: for arm64, bin/release --arch aarch64 and
# docker build --platform linux/arm64 --build-arg ARCH=aarch64.
FROM eclipse-temurin:25-jre
ARG VERSION=0.1.0-SNAPSHOT
ARG ARCH=x86_64
ARG REVISION=unknown
LABEL org.opencontainers.image.title="dindex" \
      org.opencontainers.image.description="Semantic search index for LLMs, served by one long-running daemon" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/eclipse-temurin:25-jre"

# A fixed non-root uid/gid: k8s/statefulset.yaml runs as 10001 too (runAsNonRoot needs a numeric USER).
RUN groupadd --system --gid 10001 dindex \
 && useradd --system --uid 10001 --gid dindex --home-dir /var/lib/dindex --no-create-home \
      --shell /usr/sbin/nologin dindex \
 && mkdir -p /var/lib/dindex /run/dindex /var/cache/dindex \
 && chown dindex:dindex /var/lib/dindex /run/dindex /var/cache/dindex \
 && chmod 0700 /var/lib/dindex /run/dindex

# The release tree, owned by root and read-only to the daemon's user: /opt/dindex-VERSION, linked as /opt/dindex;
# `dindex` on the PATH is the release's launcher (the thin CLI; it finds lib/ beside bin/).
ADD dist/dindex-${VERSION}-linux-${ARCH}.tar.gz /opt/
RUN ln -s /opt/dindex-${VERSION} /opt/dindex \
 && ln -s /opt/dindex/bin/dindex /usr/local/bin/dindex

# Paths as in the StatefulSet. Without a config file (DINDEX_CONFIG) every setting has its default, except the
# listen address: 0.0.0.0 so that `docker run -p 10150:10150` reaches the HTTP API. The CLI inside the container
# (`docker exec CONTAINER dindex search ...`) finds the socket through DINDEX_SOCKET and never starts a daemon; its
# class cache goes to XDG_CACHE_HOME, not to the data volume.
ENV DINDEX_DATA_DIR=/var/lib/dindex \
    DINDEX_SOCKET=/run/dindex/socket/dindex.sock \
    DJL_CACHE_DIR=/var/cache/dindex/djl \
    XDG_CACHE_HOME=/var/cache/dindex \
    DINDEX_NO_AUTOSTART=1 \
    DINDEX_HTTP_HOST=0.0.0.0
USER 10001:10001
WORKDIR /opt/dindex
EXPOSE 10150
# SIGTERM: graceful stop within daemon.shutdown_timeout_ms (30 s): give `docker stop -t 45` or more.
STOPSIGNAL SIGTERM
# Healthy = ready (GET /api/v1/health/ready answers 200 only while the daemon serves), asked with bash alone (no
# curl in the image): the port is DINDEX_HTTP_PORT's, else 10150. The start period covers index recovery and the
# model load. ReleaseTest runs this very command against a daemon started from the release.
HEALTHCHECK --interval=30s --timeout=10s --start-period=10m --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${DINDEX_HTTP_PORT:-10150} && printf 'GET /api/v1/health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r -t 8 status <&3 && [[ $status == *' 200 '* ]]"]
# The daemon in the foreground, as bin/dindex launches it (same JVM flags) plus container heap sizing.
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseG1GC", "-XX:MaxRAMPercentage=50.0", "-XX:+ExitOnOutOfMemoryError", "-XX:ErrorFile=/tmp/hs_err_pid%p.log", "-jar", "/opt/dindex/lib/dindex.jar"]
CMD ["daemon", "start", "--foreground"]
