// The server's front: the one thread that owns every client connection.
//
// cpp-httplib serves a connection on a pool thread from its first byte to
// its last, so a few clients that send their request slowly hold every
// thread (issue 15). The front takes that job: one epoll loop accepts,
// reads requests under deadlines (the whole head, the whole body), refuses
// what is too large or too many before reading it, and hands only complete
// requests to httplib, over a loopback connection, at most `max_in_flight`
// at a time; the rest wait in a bounded queue. Idle and slow connections
// therefore cost a file descriptor and a few kilobytes, never a thread.
//
// What the front adds to a forwarded request: X-Puente-Front (a per-process
// secret, so the loopback backend answers nobody else), X-Puente-Client (the
// client's address) and X-Request-Id; what it takes out of a client's
// request: those same headers and the hop-by-hop ones. It writes the one
// log line per request (log.h), with the route and user the backend names
// in X-Puente-Route / X-Puente-User, which it strips from the answer.
//
// TLS, when configured, ends here (OpenSSL, non-blocking), so the deadlines
// cover the handshake too.
#ifndef PUENTE_SERVER_SRC_FRONT_H_
#define PUENTE_SERVER_SRC_FRONT_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace puente::server {

// The front's limits (docs/security.md, "Connections and slow clients").
struct FrontLimits {
  int max_connections = 8192;   // open client connections, all addresses
  int max_per_address = 128;    // open client connections from one address
  double head_seconds = 10;     // TLS handshake + request line + headers
  double body_seconds = 30;     // the whole body, once the head is in
  double idle_seconds = 15;     // keep-alive: between two requests
  double process_seconds = 30;  // complete request to answer (queue included)
  double write_seconds = 30;    // the whole answer to the client
  int max_requests_per_connection = 1000;
  size_t max_head_bytes = 16 << 10;
  size_t max_body_bytes = 8 << 20;
  size_t max_buffered_bytes = 512 << 20;  // request bodies held at once
  int max_in_flight = 4;                  // requests the backend works on at once
  int max_queued = 512;                   // complete requests waiting for it
};

// Counters for /metrics. Thread-safe (atomics).
struct FrontStats {
  std::atomic<long> connections_open{0}, connections_accepted{0}, connections_refused{0};
  std::atomic<long> timeouts{0};
};

// The internal headers between the front and the backend.
inline constexpr char kFrontSecretHeader[] = "X-Puente-Front";
inline constexpr char kClientHeader[] = "X-Puente-Client";
inline constexpr char kRouteHeader[] = "X-Puente-Route";
inline constexpr char kUserHeader[] = "X-Puente-User";

class Front {
 public:
  // A front forwarding to the backend at 127.0.0.1:`backend_port`; with
  // `tls_cert_file` and `tls_key_file` it speaks HTTPS to clients.
  // InvalidArgument if the certificate or key cannot be loaded.
  static absl::StatusOr<std::unique_ptr<Front>> Create(FrontLimits limits, FrontStats& stats,
                                                       const std::string& tls_cert_file,
                                                       const std::string& tls_key_file);
  ~Front();

  // The value of X-Puente-Front the backend must check (random per process).
  const std::string& secret() const;
  // The backend's port; set before Serve.
  void set_backend_port(int port);

  // Binds the client-facing socket (port 0: any free port); returns the port.
  absl::StatusOr<int> Bind(const std::string& host, int port);
  // Runs the loop until Stop(). Stop is async-signal-safe.
  void Serve();
  void Stop();

  struct Impl;

 private:
  explicit Front(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace puente::server

#endif  // PUENTE_SERVER_SRC_FRONT_H_
