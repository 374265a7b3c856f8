// TLS for a server that drives its own non-blocking sockets (the server's
// front, server/src/front.h): OpenSSL's TLS 1.2+ behind a small interface,
// so nothing outside crypto/ talks to OpenSSL.
#ifndef PUENTE_CRYPTO_TLS_H_
#define PUENTE_CRYPTO_TLS_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace puente::crypto {

// What a non-blocking TLS call did.
enum class TlsIo {
  kDone,       // handshake finished, or `n` bytes moved
  kWantRead,   // call again when the socket is readable
  kWantWrite,  // call again when the socket is writable
  kClosed,     // the peer closed the TLS session
  kError,      // a protocol or socket error: drop the connection
};

class TlsStream;

// A server certificate chain and its key (PEM files).
class TlsServerContext {
 public:
  // InvalidArgument if the certificate or key cannot be loaded or do not match.
  static absl::StatusOr<std::unique_ptr<TlsServerContext>> Load(const std::string& cert_chain_file,
                                                                const std::string& key_file);
  ~TlsServerContext();

  // A server-side session on the connected non-blocking socket `fd` (not
  // owned: the caller closes it after the stream).
  std::unique_ptr<TlsStream> Accept(int fd) const;

  struct Impl;

 private:
  explicit TlsServerContext(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class TlsStream {
 public:
  ~TlsStream();
  TlsIo Handshake();
  // Reads up to `n` bytes into `buf`; `*got` is set on kDone.
  TlsIo Read(char* buf, size_t n, size_t* got);
  // Writes up to `n` bytes; `*put` is set on kDone. After kWantRead or
  // kWantWrite, call again with the same bytes.
  TlsIo Write(const char* buf, size_t n, size_t* put);
  // Sends close_notify (best effort, never waits).
  void Shutdown();

  struct Impl;
  explicit TlsStream(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace puente::crypto

#endif  // PUENTE_CRYPTO_TLS_H_
