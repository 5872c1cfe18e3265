# Build the static binary.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/kedja/kedja/app/cli.Version=${VERSION}" -o /out/kedja . \
 && mkdir -p /out/data

# Run it in a minimal image as a non-root user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kedja /kedja
COPY --from=build --chown=65532:65532 /out/data /data
ENV KEDJA_ADDR=:8080 \
    KEDJA_DATABASE_URL=sqlite:///data/kedja.db
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 CMD ["/kedja", "healthcheck"]
ENTRYPOINT ["/kedja"]
CMD ["serve"]
