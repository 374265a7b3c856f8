#include "src/front.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"
#include "puente/crypto/tls.h"
#include "puente/server/log.h"
#include "src/http_head.h"

namespace puente::server {
namespace {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;

TimePoint After(double seconds) {
  return SteadyClock::now() +
         std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(seconds));
}

double MillisSince(TimePoint t) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t).count();
}

std::string RandomHex(size_t bytes) {
  absl::StatusOr<crypto::Bytes> raw = crypto::RandomBytes(bytes);
  if (!raw.ok()) std::abort();  // no randomness: nothing here can be trusted
  return crypto::HexEncode(*raw);
}

// Raises the open-file limit to its hard maximum: each idle client costs one
// descriptor, and the default soft limit (1024 on many systems) would be the
// first thing an attacker exhausts.
void RaiseFileLimit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

// How long a connection answered with "close" is read from before it is closed.
constexpr double kLingerSeconds = 2;

// What epoll points at.
struct Handle {
  enum class Kind { kListen, kWake, kClient, kUpstream } kind;
  explicit Handle(Kind k) : kind(k) {}
};

struct Client;

// One forwarded request: a loopback connection to the backend.
struct Upstream : Handle {
  Upstream() : Handle(Kind::kUpstream) {}
  int fd = -1;
  Client* client = nullptr;  // null once the client is gone or timed out
  std::string out;
  size_t out_off = 0;
  std::string in;
  bool connected = false;
  TimePoint hard_deadline;  // closed after this even if the backend still works
};

enum class Phase {
  kHandshake,  // TLS
  kHead,       // waiting for or reading a request head
  kBody,       // reading the body
  kQueued,     // complete, waiting for a backend slot
  kForwarded,  // the backend is working on it
  kWriting,    // sending the answer
  kDraining,   // answered with "close": reading what the client still sends
};

// What the front knows of a request while it is answered.
struct Request : RequestHead {
  std::string body;
  std::string request_id;
};

struct Client : Handle {
  Client() : Handle(Kind::kClient) {}
  int fd = -1;
  std::unique_ptr<crypto::TlsStream> tls;
  std::string address;
  Phase phase = Phase::kHead;
  std::string in;  // read, not yet consumed
  bool head_started = false;
  Request req;
  std::string out;
  size_t out_off = 0;
  bool close_after_write = false;
  bool ssl_wants_write = false;  // an SSL_read needs the socket writable
  bool ssl_wants_read = false;   // an SSL_write needs it readable
  TimePoint deadline;
  int served = 0;
  Upstream* upstream = nullptr;
  uint32_t events = 0;       // registered with epoll
  bool half_closed = false;  // the client shut its sending side
  bool closed = false;
  TimePoint first_byte;  // of the current request
};

}  // namespace

struct Front::Impl {
  FrontLimits limits;
  FrontStats& stats;
  std::string secret = RandomHex(32);
  int backend_port = 0;
  std::unique_ptr<crypto::TlsServerContext> tls;
  int listen_fd = -1;
  int wake_fd = -1;
  int epoll_fd = -1;
  int spare_fd = -1;  // given up to accept-and-close when descriptors run out
  std::atomic<bool> stop{false};
  Handle listen_handle{Handle::Kind::kListen};
  Handle wake_handle{Handle::Kind::kWake};
  std::unordered_set<Client*> clients;
  std::unordered_set<Upstream*> upstreams;
  std::map<std::string, int> per_address;
  std::deque<Client*> queue;
  int in_flight = 0;
  size_t buffered = 0;  // bytes of request bodies held
  std::vector<Client*> dead_clients;
  std::vector<Upstream*> dead_upstreams;

  Impl(FrontLimits l, FrontStats& s) : limits(l), stats(s) {}
  ~Impl() {
    for (Client* c : clients) CloseClientNow(c);
    for (Upstream* u : upstreams) {
      close(u->fd);
      delete u;
    }
    Reap();
    for (int fd : {listen_fd, wake_fd, epoll_fd, spare_fd}) {
      if (fd >= 0) close(fd);
    }
  }

  // --- epoll bookkeeping ---
  void Watch(int fd, Handle* h, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = h;
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
  }
  void Rewatch(Client* c) {
    uint32_t want = 0;
    switch (c->phase) {
      case Phase::kHandshake:
      case Phase::kHead:
      case Phase::kBody:
        want = EPOLLIN;
        if (c->ssl_wants_write) want |= EPOLLOUT;
        break;
      case Phase::kWriting:
        want = EPOLLOUT;
        if (c->ssl_wants_read) want |= EPOLLIN;
        break;
      case Phase::kQueued:
      case Phase::kForwarded:
        want = 0;  // hang-ups are reported anyway
        break;
      case Phase::kDraining:
        want = EPOLLIN;
        break;
    }
    if (c->phase == Phase::kHandshake && c->ssl_wants_write) want = EPOLLOUT;
    if (!c->half_closed) want |= EPOLLRDHUP;
    if (want == c->events) return;
    epoll_event ev{};
    ev.events = want;
    ev.data.ptr = c;
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &ev);
    c->events = want;
  }

  // --- client I/O (plain or TLS) ---
  // > 0 bytes, 0 end of stream, -1 would block, -2 error.
  ssize_t ReadSome(Client* c, char* buf, size_t n) {
    if (c->tls == nullptr) {
      const ssize_t r = recv(c->fd, buf, n, 0);
      if (r >= 0) return r;
      return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -1 : -2;
    }
    c->ssl_wants_write = false;
    size_t got = 0;
    switch (c->tls->Read(buf, n, &got)) {
      case crypto::TlsIo::kDone:
        return static_cast<ssize_t>(got);
      case crypto::TlsIo::kWantRead:
        return -1;
      case crypto::TlsIo::kWantWrite:
        c->ssl_wants_write = true;
        return -1;
      case crypto::TlsIo::kClosed:
        return 0;
      case crypto::TlsIo::kError:
        return -2;
    }
    return -2;
  }
  ssize_t WriteSome(Client* c, const char* buf, size_t n) {
    if (c->tls == nullptr) {
      const ssize_t r = send(c->fd, buf, n, MSG_NOSIGNAL);
      if (r >= 0) return r;
      return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -1 : -2;
    }
    c->ssl_wants_read = false;
    size_t put = 0;
    switch (c->tls->Write(buf, n, &put)) {
      case crypto::TlsIo::kDone:
        return static_cast<ssize_t>(put);
      case crypto::TlsIo::kWantWrite:
        return -1;
      case crypto::TlsIo::kWantRead:
        c->ssl_wants_read = true;
        return -1;
      case crypto::TlsIo::kClosed:
      case crypto::TlsIo::kError:
        return -2;
    }
    return -2;
  }

  // --- lifetimes ---
  void ReleaseBody(Client* c) {
    buffered -= std::min(buffered, c->req.body.capacity());
    std::string().swap(c->req.body);
  }
  void CloseClientNow(Client* c) {
    if (c->closed) return;
    c->closed = true;
    if (c->upstream != nullptr) c->upstream->client = nullptr;
    c->upstream = nullptr;
    if (c->phase == Phase::kQueued) queue.erase(std::find(queue.begin(), queue.end(), c));
    ReleaseBody(c);
    c->tls.reset();
    close(c->fd);
    if (--per_address[c->address] <= 0) per_address.erase(c->address);
    stats.connections_open--;
    dead_clients.push_back(c);
  }
  void CloseUpstream(Upstream* u) {
    if (u->fd < 0) return;
    close(u->fd);
    u->fd = -1;
    in_flight--;
    dead_upstreams.push_back(u);
  }
  void Reap() {
    for (Client* c : dead_clients) {
      clients.erase(c);
      delete c;
    }
    dead_clients.clear();
    for (Upstream* u : dead_upstreams) {
      upstreams.erase(u);
      delete u;
    }
    dead_upstreams.clear();
    Dispatch();
  }

  // --- accepting ---
  void Accept() {
    for (;;) {
      sockaddr_storage addr{};
      socklen_t len = sizeof addr;
      const int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE) {
          // Out of descriptors: take the waiting one with the spare and close
          // it, or the listening socket would stay readable forever.
          close(spare_fd);
          const int drop = accept(listen_fd, nullptr, nullptr);
          if (drop >= 0) close(drop);
          spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
          stats.connections_refused++;
          continue;
        }
        return;  // EAGAIN, or an error the next round retries
      }
      const std::string address = AddressOf(addr);
      const int from_here = per_address.count(address) ? per_address[address] : 0;
      const char* refusal = nullptr;
      if (static_cast<int>(clients.size()) >= limits.max_connections) {
        refusal = "the server has too many open connections; try again shortly";
      } else if (from_here >= limits.max_per_address) {
        refusal = "too many open connections from your address; close some and try again";
      }
      if (refusal != nullptr) {
        stats.connections_refused++;
        if (tls == nullptr) {
          // One try at telling the client why; never waits for it.
          const std::string r = ErrorResponse({503, "unavailable", refusal}, "");
          [[maybe_unused]] ssize_t ignored = send(fd, r.data(), r.size(), MSG_NOSIGNAL);
        }
        close(fd);
        LogEvent(LogLevel::kWarn, "connection_refused", {{"reason", refusal}});
        continue;
      }
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto* c = new Client;
      c->fd = fd;
      c->address = address;
      c->deadline = After(limits.head_seconds);
      if (tls != nullptr) {
        c->tls = tls->Accept(fd);
        if (c->tls == nullptr) {
          close(fd);
          delete c;
          continue;
        }
        c->phase = Phase::kHandshake;
      }
      clients.insert(c);
      per_address[address]++;
      stats.connections_open++;
      stats.connections_accepted++;
      c->events = EPOLLIN | EPOLLRDHUP;
      Watch(fd, c, c->events);
    }
  }

  static std::string AddressOf(const sockaddr_storage& addr) {
    char text[INET6_ADDRSTRLEN] = {0};
    if (addr.ss_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, text, sizeof text);
    } else if (addr.ss_family == AF_INET6) {
      const auto& a6 = reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr;
      if (IN6_IS_ADDR_V4MAPPED(&a6)) {
        inet_ntop(AF_INET, &a6.s6_addr[12], text, sizeof text);
      } else {
        inet_ntop(AF_INET6, &a6, text, sizeof text);
      }
    }
    return text;
  }

  // --- answering from the front itself ---
  void Fail(Client* c, const HttpError& e) {
    if (c->req.request_id.empty()) c->req.request_id = RandomHex(8);
    LogEvent(e.status >= 500 ? LogLevel::kWarn : LogLevel::kInfo, "request",
             {{"method", c->req.method.empty() ? "-" : c->req.method},
              {"route", "-"},
              {"status", e.status},
              {"ms", c->head_started ? MillisSince(c->first_byte) : 0.0},
              {"request_id", c->req.request_id},
              {"error", e.message}});
    Respond(c, ErrorResponse(e, c->req.request_id), /*keep_alive=*/false);
  }
  void Respond(Client* c, std::string response, bool keep_alive) {
    ReleaseBody(c);
    c->out = std::move(response);
    c->out_off = 0;
    c->close_after_write = !keep_alive;
    c->phase = Phase::kWriting;
    c->deadline = After(limits.write_seconds);
    Write(c);
  }

  // --- reading requests ---
  void OnClient(Client* c, uint32_t events) {
    if (events & (EPOLLHUP | EPOLLERR)) return CloseClientNow(c);  // gone: request abandoned
    if ((events & EPOLLRDHUP) && !c->half_closed) {
      // Done sending (maybe only that): the answer still goes out, then close.
      c->half_closed = true;
      c->req.keep_alive = false;
      if (c->phase != Phase::kQueued && c->phase != Phase::kForwarded &&
          c->phase != Phase::kWriting) {
        Read(c);  // reads what is left, then sees the end of stream
        return;
      }
      Rewatch(c);
    }
    if (c->phase == Phase::kQueued || c->phase == Phase::kForwarded) return;
    if (c->phase == Phase::kHandshake) return Handshake(c);
    if (c->phase == Phase::kDraining) return Drain(c);
    if (c->phase == Phase::kWriting) {
      if ((events & EPOLLOUT) || (c->ssl_wants_read && (events & EPOLLIN))) Write(c);
      return;
    }
    Read(c);
  }

  void Handshake(Client* c) {
    c->ssl_wants_write = false;
    switch (c->tls->Handshake()) {
      case crypto::TlsIo::kDone:
        c->phase = Phase::kHead;
        Rewatch(c);
        return;
      case crypto::TlsIo::kWantRead:
        Rewatch(c);
        return;
      case crypto::TlsIo::kWantWrite:
        c->ssl_wants_write = true;
        Rewatch(c);
        return;
      default:
        CloseClientNow(c);
    }
  }

  void Read(Client* c) {
    char buf[16384];
    for (;;) {
      size_t room = sizeof buf;
      if (c->phase == Phase::kBody) {
        room = std::min(room, c->req.content_length - c->req.body.size());
        if (room == 0) break;
      }
      const ssize_t n = ReadSome(c, buf, room);
      if (n == -1) break;
      if (n <= 0) return CloseClientNow(c);
      if (c->phase == Phase::kBody) {
        c->req.body.append(buf, static_cast<size_t>(n));
      } else {
        c->in.append(buf, static_cast<size_t>(n));
      }
      if (!Advance(c)) return;
      if (c->phase != Phase::kHead && c->phase != Phase::kBody) return;
    }
    if (!c->closed) Rewatch(c);
  }

  // Moves a request on as far as what is buffered allows. False if the
  // client is done with (closed or answered).
  bool Advance(Client* c) {
    if (c->phase == Phase::kHead) {
      // Empty lines between requests are allowed (RFC 9112, 2.2).
      size_t skip = 0;
      while (skip + 1 < c->in.size() && c->in[skip] == '\r' && c->in[skip + 1] == '\n') skip += 2;
      if (skip > 0) c->in.erase(0, skip);
      if (c->in.empty()) return true;
      if (!c->head_started) {
        c->head_started = true;
        c->first_byte = SteadyClock::now();
        c->deadline = std::min(c->deadline, After(limits.head_seconds));
      }
      const size_t end = c->in.find("\r\n\r\n");
      if (end == std::string::npos) {
        if (c->in.size() > limits.max_head_bytes) {
          Fail(c, {431, "invalid_argument",
                   absl::StrFormat("request head larger than %d bytes", limits.max_head_bytes)});
          return false;
        }
        return true;
      }
      if (end > limits.max_head_bytes) {
        Fail(c, {431, "invalid_argument",
                 absl::StrFormat("request head larger than %d bytes", limits.max_head_bytes)});
        return false;
      }
      Request req;
      req.request_id = RandomHex(8);
      std::optional<HttpError> e =
          ParseRequestHead(absl::string_view(c->in).substr(0, end), limits.max_body_bytes, req);
      c->req = std::move(req);
      if (e) {
        Fail(c, *e);
        return false;
      }
      if (buffered + c->req.content_length > limits.max_buffered_bytes) {
        Fail(c, {503, "unavailable", "the server is busy receiving other uploads; try again"});
        return false;
      }
      c->in.erase(0, end + 4);
      c->req.body.reserve(c->req.content_length);
      buffered += c->req.body.capacity();
      const size_t from_in = std::min(c->in.size(), c->req.content_length);
      c->req.body.append(c->in, 0, from_in);
      c->in.erase(0, from_in);
      c->phase = Phase::kBody;
      c->deadline = After(limits.body_seconds);
      if (c->req.expect_continue && c->req.body.size() < c->req.content_length) {
        static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
        WriteSome(c, kContinue, sizeof kContinue - 1);  // best effort: 25 bytes
      }
    }
    if (c->phase == Phase::kBody && c->req.body.size() == c->req.content_length) {
      Enqueue(c);
    }
    return true;
  }

  // --- the backend ---
  void Enqueue(Client* c) {
    if (static_cast<int>(queue.size()) >= limits.max_queued) {
      Fail(c, {503, "unavailable", "the server is busy; try again shortly"});
      return;
    }
    c->phase = Phase::kQueued;
    c->deadline = After(limits.process_seconds);
    queue.push_back(c);
    Rewatch(c);
    Dispatch();
  }

  void Dispatch() {
    while (!queue.empty() && in_flight < limits.max_in_flight) {
      Client* c = queue.front();
      queue.pop_front();
      Forward(c);
    }
  }

  void Forward(Client* c) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(backend_port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 ||
        (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 && errno != EINPROGRESS)) {
      if (fd >= 0) close(fd);
      LogEvent(LogLevel::kError, "backend_unreachable", {{"errno", errno}});
      Fail(c, {503, "unavailable", "the service is not available; try again shortly"});
      return;
    }
    auto* u = new Upstream;
    u->fd = fd;
    u->client = c;
    u->hard_deadline = After(4 * limits.process_seconds);
    u->out = c->req.forward_head;
    absl::StrAppend(&u->out, kFrontSecretHeader, ": ", secret, "\r\n", kClientHeader, ": ",
                    c->address, "\r\n", kRequestIdHeader, ": ", c->req.request_id,
                    "\r\nConnection: close\r\n\r\n");
    u->out += c->req.body;
    ReleaseBody(c);
    upstreams.insert(u);
    in_flight++;
    c->upstream = u;
    c->phase = Phase::kForwarded;
    Rewatch(c);
    Watch(fd, u, EPOLLOUT | EPOLLIN | EPOLLRDHUP);
  }

  void OnUpstream(Upstream* u, uint32_t events) {
    if (u->fd < 0) return;
    if (!u->connected && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) return UpstreamFailed(u, "backend_unreachable");
      u->connected = true;
    }
    if (u->connected && u->out_off < u->out.size() && (events & EPOLLOUT)) {
      while (u->out_off < u->out.size()) {
        const ssize_t n =
            send(u->fd, u->out.data() + u->out_off, u->out.size() - u->out_off, MSG_NOSIGNAL);
        if (n < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
          return UpstreamFailed(u, "backend_write_failed");
        }
        u->out_off += static_cast<size_t>(n);
      }
      if (u->out_off == u->out.size()) {
        std::string().swap(u->out);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.ptr = u;
        epoll_ctl(epoll_fd, EPOLL_CTL_MOD, u->fd, &ev);
      }
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP | EPOLLERR)) {
      char buf[65536];
      for (;;) {
        const ssize_t n = recv(u->fd, buf, sizeof buf, 0);
        if (n > 0) {
          u->in.append(buf, static_cast<size_t>(n));
          continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
          if (events & EPOLLERR) return UpstreamFailed(u, "backend_read_failed");
          return;
        }
        if (n < 0) return UpstreamFailed(u, "backend_read_failed");
        return UpstreamDone(u);  // end of stream: the whole answer is in
      }
    }
  }

  void UpstreamFailed(Upstream* u, const char* event) {
    LogEvent(LogLevel::kError, event, {{"errno", errno}});
    Client* c = u->client;
    CloseUpstream(u);
    if (c != nullptr) {
      c->upstream = nullptr;
      Fail(c, {503, "unavailable", "the service is not available; try again shortly"});
    }
  }

  void UpstreamDone(Upstream* u) {
    Client* c = u->client;
    std::string answer = std::move(u->in);
    CloseUpstream(u);
    if (c == nullptr) return;  // the client left or timed out
    c->upstream = nullptr;
    const size_t end = answer.find("\r\n\r\n");
    if (end == std::string::npos) {
      LogEvent(LogLevel::kError, "backend_bad_answer", {{"request_id", c->req.request_id}});
      return Fail(c, {503, "unavailable", "the service is not available; try again shortly"});
    }
    std::vector<absl::string_view> lines =
        absl::StrSplit(absl::string_view(answer).substr(0, end), "\r\n");
    int status = 0;
    {
      std::vector<absl::string_view> parts = absl::StrSplit(lines[0], absl::MaxSplits(' ', 2));
      if (parts.size() < 2 || !absl::SimpleAtoi(parts[1], &status)) status = 0;
    }
    std::string route = "-", user;
    bool has_length = false;
    std::string head = absl::StrCat(lines[0], "\r\n");
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t colon = lines[i].find(':');
      if (colon == absl::string_view::npos) continue;
      const std::string lower = absl::AsciiStrToLower(lines[i].substr(0, colon));
      absl::string_view value = absl::StripAsciiWhitespace(lines[i].substr(colon + 1));
      if (lower == absl::AsciiStrToLower(kRouteHeader)) {
        route = std::string(value);
      } else if (lower == absl::AsciiStrToLower(kUserHeader)) {
        user = std::string(value);
      } else if (lower == "connection" || lower == "keep-alive") {
        continue;
      } else {
        if (lower == "content-length") has_length = true;
        absl::StrAppend(&head, lines[i], "\r\n");
      }
    }
    c->served++;
    const bool keep_alive =
        c->req.keep_alive && has_length && !stop && c->served < limits.max_requests_per_connection;
    absl::StrAppend(&head, "Connection: ", keep_alive ? "keep-alive" : "close", "\r\n",
                    kRequestIdHeader, ": ", c->req.request_id, "\r\n\r\n");
    nlohmann::json line = {{"method", c->req.method},
                           {"route", route},
                           {"status", status},
                           {"ms", MillisSince(c->first_byte)},
                           {"request_id", c->req.request_id}};
    if (!user.empty()) line["user"] = user;
    LogEvent(status >= 500 ? LogLevel::kWarn : LogLevel::kInfo, "request", std::move(line));
    head.append(answer, end + 4, std::string::npos);
    Respond(c, std::move(head), keep_alive);
  }

  // --- writing answers ---
  void Write(Client* c) {
    while (c->out_off < c->out.size()) {
      const ssize_t n = WriteSome(c, c->out.data() + c->out_off, c->out.size() - c->out_off);
      if (n == -1) return Rewatch(c);
      if (n < 0) return CloseClientNow(c);
      c->out_off += static_cast<size_t>(n);
    }
    std::string().swap(c->out);
    if (c->close_after_write) {
      // A lingering close: closing with unread bytes (the rest of a body
      // refused by its size) would reset the connection and could destroy
      // the answer before the client reads it. Send FIN, then read and drop
      // what still comes, for a short while.
      if (c->tls != nullptr) c->tls->Shutdown();
      shutdown(c->fd, SHUT_WR);
      c->phase = Phase::kDraining;
      c->deadline = After(kLingerSeconds);
      Rewatch(c);
      return;
    }
    // Keep-alive: the next request (maybe already buffered).
    c->phase = Phase::kHead;
    c->head_started = false;
    c->req = Request{};
    c->deadline = After(limits.idle_seconds);
    if (!Advance(c)) return;
    if (!c->closed) Rewatch(c);
  }

  void Drain(Client* c) {
    char buf[16384];
    for (;;) {
      const ssize_t n = recv(c->fd, buf, sizeof buf, 0);
      if (n > 0) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
      return CloseClientNow(c);  // the client closed too
    }
  }

  // --- deadlines ---
  void Expire() {
    const TimePoint now = SteadyClock::now();
    std::vector<Client*> late;
    for (Client* c : clients) {
      if (!c->closed && c->deadline <= now) late.push_back(c);
    }
    for (Client* c : late) {
      if (c->closed) continue;
      if (c->phase != Phase::kDraining) stats.timeouts++;
      switch (c->phase) {
        case Phase::kHandshake:
          CloseClientNow(c);
          break;
        case Phase::kHead:
          if (!c->head_started) {
            CloseClientNow(c);  // an idle keep-alive connection: just closed
          } else {
            Fail(c, {408, "deadline_exceeded",
                     absl::StrFormat("the request head did not arrive within %g s",
                                     limits.head_seconds)});
          }
          break;
        case Phase::kBody:
          Fail(c, {408, "deadline_exceeded",
                   absl::StrFormat("the request body did not arrive within %g s",
                                   limits.body_seconds)});
          break;
        case Phase::kQueued:
          queue.erase(std::find(queue.begin(), queue.end(), c));
          c->phase = Phase::kHead;  // no longer queued
          Fail(c, {503, "unavailable", "the server is busy; try again shortly"});
          break;
        case Phase::kForwarded:
          if (c->upstream != nullptr) c->upstream->client = nullptr;  // it finishes unseen
          c->upstream = nullptr;
          Fail(c, {504, "deadline_exceeded",
                   absl::StrFormat("the request was not processed within %g s",
                                   limits.process_seconds)});
          break;
        case Phase::kWriting:
        case Phase::kDraining:
          CloseClientNow(c);
          break;
      }
    }
    std::vector<Upstream*> stuck;
    for (Upstream* u : upstreams) {
      if (u->fd >= 0 && u->hard_deadline <= now) stuck.push_back(u);
    }
    for (Upstream* u : stuck) UpstreamFailed(u, "backend_stuck");
  }

  void Loop() {
    std::vector<epoll_event> events(512);
    TimePoint next_expiry = After(0.1);
    while (!stop) {
      const int n = epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), 100);
      for (int i = 0; i < n; ++i) {
        auto* h = static_cast<Handle*>(events[i].data.ptr);
        switch (h->kind) {
          case Handle::Kind::kListen:
            Accept();
            break;
          case Handle::Kind::kWake:
            break;
          case Handle::Kind::kClient: {
            auto* c = static_cast<Client*>(h);
            if (!c->closed) OnClient(c, events[i].events);
            break;
          }
          case Handle::Kind::kUpstream:
            OnUpstream(static_cast<Upstream*>(h), events[i].events);
            break;
        }
      }
      if (SteadyClock::now() >= next_expiry) {
        Expire();
        next_expiry = After(0.1);
      }
      Reap();
    }
  }
};

Front::Front(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Front::~Front() = default;

absl::StatusOr<std::unique_ptr<Front>> Front::Create(FrontLimits limits, FrontStats& stats,
                                                     const std::string& tls_cert_file,
                                                     const std::string& tls_key_file) {
  RaiseFileLimit();
  auto impl = std::make_unique<Impl>(limits, stats);
  if (!tls_cert_file.empty() || !tls_key_file.empty()) {
    absl::StatusOr<std::unique_ptr<crypto::TlsServerContext>> tls =
        crypto::TlsServerContext::Load(tls_cert_file, tls_key_file);
    if (!tls.ok()) return tls.status();
    impl->tls = std::move(*tls);
  }
  impl->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  impl->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  impl->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (impl->epoll_fd < 0 || impl->wake_fd < 0) {
    return absl::InternalError("cannot create the connection loop");
  }
  impl->Watch(impl->wake_fd, &impl->wake_handle, EPOLLIN);
  return std::unique_ptr<Front>(new Front(std::move(impl)));
}

const std::string& Front::secret() const { return impl_->secret; }
void Front::set_backend_port(int port) { impl_->backend_port = port; }

absl::StatusOr<int> Front::Bind(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (getaddrinfo(host.c_str(), service.c_str(), &hints, &found) != 0 || found == nullptr) {
    return absl::UnavailableError("cannot resolve " + host);
  }
  const int fd = socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const bool ok =
      fd >= 0 && bind(fd, found->ai_addr, found->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0;
  freeaddrinfo(found);
  if (!ok) {
    if (fd >= 0) close(fd);
    return absl::UnavailableError(absl::StrFormat("cannot bind to %s:%d", host, port));
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  impl_->listen_fd = fd;
  impl_->Watch(fd, &impl_->listen_handle, EPOLLIN);
  return bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6&>(bound).sin6_port)
                                     : ntohs(reinterpret_cast<sockaddr_in&>(bound).sin_port);
}

void Front::Serve() { impl_->Loop(); }

void Front::Stop() {
  impl_->stop = true;
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t ignored = write(impl_->wake_fd, &one, sizeof one);
}

}  // namespace puente::server
