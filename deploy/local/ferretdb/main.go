// Command ferretdb runs FerretDB v1 embedded (PostgreSQL or SQLite backend) as the local MongoDB-wire server.
//
// Why a tiny main instead of `go install github.com/FerretDB/FerretDB/cmd/ferretdb`: that command
// panics at start because build/version/version.txt is not part of the published module. The
// embedded package has no such file dependency and also disables telemetry itself.
//
// Started by deploy/local/stack.sh; it logs to stderr and stops cleanly on SIGTERM/SIGINT.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (host:port)")
	handler := flag.String("handler", "postgresql", "backend: postgresql or sqlite")
	postgresqlURL := flag.String("postgresql-url", "postgres://127.0.0.1:5432/ferretdb", "PostgreSQL backend URL")
	sqliteURL := flag.String("sqlite-url", "file:data/", "SQLite backend URL; the directory must exist and the URL must end with a slash")
	logLevel := flag.String("log-level", "info", "log level: debug, info, warn or error")
	// FerretDB never reads this. With the PostgreSQL backend nothing else on the command line
	// names the clone that started the process, and stack.sh must tell its own server from
	// another clone's (or a reused pid) before it adopts or stops one.
	flag.String("stack-state", "", "state dir of the stack.sh that started this process (only marks it in /proc)")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: bad -log-level %q: %v\n", *logLevel, err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Logger:        logger,
		Handler:       *handler,
		PostgreSQLURL: *postgresqlURL,
		SQLiteURL:     *sqliteURL,
	})
	if err != nil {
		// Typical causes: port already in use, missing data directory, URL without trailing slash.
		logger.Error("ferretdb failed to start", "listen", *listen, "handler", *handler, "error", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	// stack.sh waits on the TCP port, but this line makes the log self-explanatory.
	logger.Info("ferretdb listening", "uri", f.MongoDBURI(), "handler", *handler)

	// Run returns once ctx is cancelled and the listener has drained its connections;
	// the deferred backend close then flushes SQLite, so SIGTERM never leaves a torn database.
	if err := f.Run(ctx); err != nil {
		logger.Error("ferretdb stopped with an error", "error", err)
		os.Exit(1)
	}
	logger.Info("ferretdb stopped")
}
