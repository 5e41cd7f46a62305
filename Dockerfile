# The ddc image: all five programs, built from Debian bookworm packages.
#   docker build -t ddc .          (or `make image`, which also works offline)
#   docker run ddc [all|broker|web|discord|docker|ctl] [OPTIONS...]
# The build stage compiles with make; the runtime stage holds only the
# programs, the shared libraries they load (taken from the build stage's
# Debian packages by scripts/image-rootfs.sh), time zones and CA
# certificates: no shell, no package manager. See deploy/README.md.

# The build stage's base: the official image where a registry is reachable;
# `make image` makes an equivalent one from the Debian archive (mmdebstrap)
# where none is (scripts/image-base.sh).
ARG BASE=debian:bookworm-slim

FROM ${BASE} AS build
COPY scripts/deps.sh /src/scripts/deps.sh
RUN /src/scripts/deps.sh build && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
WORKDIR /src
COPY Makefile ./
COPY services services
COPY web web
RUN make -j"$(nproc)" programs OPT="-O2"
COPY scripts/image-rootfs.sh scripts/
RUN scripts/image-rootfs.sh /rootfs build/bin

FROM scratch
COPY --from=build /rootfs /
ENV PATH=/usr/bin
WORKDIR /
EXPOSE 9374
# ddc-container health: the web UI's /health, the others through the broker.
HEALTHCHECK --interval=15s --timeout=10s --start-period=30s --retries=3 \
    CMD ["/usr/bin/ddc-container", "health"]
# Starts as root only to give DDC_DATA to PUID:PGID, then drops to them.
ENTRYPOINT ["/usr/bin/ddc-container"]
CMD ["all"]
LABEL org.opencontainers.image.title="ddc" \
      org.opencontainers.image.description="Docker containers from Discord and the web, live: broker, web UI, Discord bot, Docker agent and ddc-ctl"
