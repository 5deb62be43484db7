// The dashboard's HTTP server on cpp-httplib (Debian libcpp-httplib-dev):
// routes, limits (body size, concurrent runs, Host header), JSON errors for
// every failure, and `sdsim serve`'s signal handling.
#include <httplib.h>
#include <pthread.h>
#include <sys/socket.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <ostream>
#include <thread>

#include "sim/diagnostic.hpp"
#include "sim/serve.hpp"
#include "util/text.hpp"

namespace sim::serve {

bool Slots::try_acquire() {
    std::lock_guard<std::mutex> lock(m_);
    if (free_ == 0) return false;
    --free_;
    return true;
}

void Slots::release() {
    std::lock_guard<std::mutex> lock(m_);
    ++free_;
}

namespace {

// A slot held for the length of one request.
class SlotGuard {
public:
    explicit SlotGuard(Slots& s) : s_(s), held_(s.try_acquire()) {}
    ~SlotGuard() {
        if (held_) s_.release();
    }
    SlotGuard(const SlotGuard&) = delete;
    SlotGuard& operator=(const SlotGuard&) = delete;
    explicit operator bool() const { return held_; }

private:
    Slots& s_;
    bool held_;
};

// {"error": {...}, "diagnostics": [...]} for a failure of the request itself.
std::string request_error(Code code, const std::string& message) {
    Diagnostic d;
    d.code = code;
    d.message = message;
    const std::string text = format(d);
    auto q = [](const std::string& s) {
        std::string out = "\"";
        for (char c : s) {
            if (c == '"' || c == '\\') out += '\\';
            if (static_cast<unsigned char>(c) < 0x20) continue;  // (our own messages hold none)
            out += c;
        }
        return out + "\"";
    };
    return "{\"error\":{\"code\":" + q(name(code)) + ",\"message\":" + q(message) + ",\"text\":" + q(text) +
           "},\"diagnostics\":[{\"severity\":\"error\",\"code\":" + q(name(code)) +
           ",\"file\":\"\",\"line\":0,\"col\":0,\"variable\":\"\",\"message\":" + q(message) + ",\"text\":" + q(text) +
           "}]}\n";
}

void put(httplib::Response& res, const Reply& r) {
    res.status = r.status;
    res.set_content(r.body, r.content_type.c_str());
}

bool is_loopback(const std::string& host) { return host == "127.0.0.1" || host == "localhost" || host == "::1"; }

// The host part of a Host header ("127.0.0.1:8080" -> "127.0.0.1", "[::1]:80" -> "::1").
std::string host_of(const std::string& h) {
    if (!h.empty() && h.front() == '[') {
        const auto close = h.find(']');
        return close == std::string::npos ? h : h.substr(1, close - 1);
    }
    return h.substr(0, h.find(':'));
}

}  // namespace

struct Server::Impl {
    const Dashboard& d;
    Slots slots;
    httplib::Server http;
    int port = 0;

    explicit Impl(const Dashboard& dash) : d(dash), slots(dash.options().max_concurrent) {}

    // A POST endpoint: one slot for the whole computation, 503 without one.
    httplib::Server::Handler compute(Reply (Dashboard::*method)(std::string_view) const) {
        return [this, method](const httplib::Request& req, httplib::Response& res) {
            SlotGuard slot(slots);
            if (!slot) {
                res.status = 503;
                res.set_header("Retry-After", "1");
                res.set_content(request_error(sim::Code::E_SERVE_BUSY,
                                              "all " + std::to_string(d.options().max_concurrent) +
                                                  " run slots are busy; retry shortly"),
                                "application/json");
                return;
            }
            put(res, (d.*method)(req.body));
        };
    }

    void routes() {
        const Options& o = d.options();
        http.set_payload_max_length(o.max_body_bytes);
        http.set_read_timeout(10);
        http.set_write_timeout(10);
        http.set_keep_alive_timeout(5);
        http.set_keep_alive_max_count(1000);  // a page keeps its connection over many slider moves
        http.set_tcp_nodelay(true);
        // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, with which a
        // second server could bind the same port and take half the requests.
        http.set_socket_options([](int sock) {
            int yes = 1;
            ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        });
        http.set_default_headers({{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "no-store"}});

        // Answers go uncompressed: on one machine bytes are cheap and CPU is
        // not (httplib would answer a browser's "Accept-Encoding: br" with
        // Brotli at its highest quality, 0.3 s for /api/model). The header is
        // removed before routing, while the request is still httplib's to change.
        //
        // Bound to the loopback interface, the server answers only requests
        // addressed to it by a loopback name: a web page elsewhere cannot
        // reach it through a DNS name rebound to 127.0.0.1.
        const bool check_host = is_loopback(o.host);
        http.set_pre_routing_handler([check_host](const httplib::Request& req, httplib::Response& res) {
            const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
            if (!check_host || is_loopback(host_of(req.get_header_value("Host"))))
                return httplib::Server::HandlerResponse::Unhandled;
            res.status = 403;
            res.set_content(request_error(sim::Code::E_SERVE_REQUEST,
                                          "Host '" + req.get_header_value("Host") +
                                              "' is not this server's; use http://127.0.0.1:PORT/ or "
                                              "http://localhost:PORT/"),
                            "application/json");
            return httplib::Server::HandlerResponse::Handled;
        });

        http.Get("/api/model", [this](const httplib::Request&, httplib::Response& res) { put(res, d.model()); });
        http.Post("/api/run", compute(&Dashboard::run));
        http.Post("/api/compare", compute(&Dashboard::compare));
        http.Post("/api/bands", compute(&Dashboard::bands));
        http.Get(R"(/[A-Za-z0-9._-]*)", [](const httplib::Request& req, httplib::Response& res) {
            const Asset* a = find_asset(req.path);
            if (!a) {
                res.status = 404;
                return;
            }
            res.set_content(std::string(a->body), std::string(a->content_type).c_str());
            // The page fetches only from this server; no inline script.
            res.set_header("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
                           "object-src 'none'; frame-ancestors 'none'; base-uri 'none'");
        });

        // Every failure gets a JSON body: 404, 405, 413, malformed requests
        // (400 from the parser), unless a handler already wrote one.
        http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
            if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
            std::string message;
            switch (res.status) {
                case 404: message = "no such path '" + req.path + "' (see docs/serve.md for the API)"; break;
                case 405: message = "method " + req.method + " is not allowed for '" + req.path + "'"; break;
                case 413: message = "the request body is larger than this server accepts"; break;
                case 414: message = "the request URI is too long"; break;
                default: message = "the HTTP request could not be served (status " + std::to_string(res.status) + ")";
            }
            res.set_content(request_error(sim::Code::E_SERVE_REQUEST, message), "application/json");
            return httplib::Server::HandlerResponse::Handled;
        }));
        http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
            std::string what = "unknown exception";
            try {
                if (ep) std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            res.status = 500;
            res.set_content(request_error(sim::Code::E_INTERNAL, "internal error: " + what), "application/json");
        });
    }
};

Server::Server(const Dashboard& d) : impl_(std::make_unique<Impl>(d)) { impl_->routes(); }

Server::~Server() = default;

Slots& Server::slots() { return impl_->slots; }

int Server::bind() {
    const Options& o = impl_->d.options();
    if (o.port < 0 || o.port > 65535)
        throw Error(sim::Code::E_IO, "", "port " + std::to_string(o.port) + " is outside 0..65535");
    int port = o.port;
    bool ok;
    if (port == 0) {
        port = impl_->http.bind_to_any_port(o.host);
        ok = port > 0;
    } else {
        ok = impl_->http.bind_to_port(o.host, port);
    }
    if (!ok)
        throw Error(sim::Code::E_IO, "",
                    "cannot listen on " + o.host + ":" + std::to_string(o.port) +
                        " (the port is taken, or the address is not this machine's); try another --port");
    impl_->port = port;
    return port;
}

bool Server::listen() { return impl_->http.listen_after_bind(); }

void Server::stop() { impl_->http.stop(); }

int serve(const Dashboard& d, std::ostream& out, std::ostream& log) {
    // SIGINT and SIGTERM are blocked in every thread (the server's workers
    // inherit the mask) and taken by one thread with sigwait, which stops
    // the server: no work in a signal handler.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    Server server(d);
    const int port = server.bind();
    const std::string host = d.options().host;
    const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    std::atomic<bool> done{false};
    std::atomic<int> received{0};
    std::thread waiter([&] {
        int sig = 0;
        sigwait(&stop_signals, &sig);
        received = sig;
        // stop() is ignored until listen() runs: repeat until it returns.
        while (!done) {
            server.stop();
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    });
    log << "serving " << d.title() << "\n";
    if (!is_loopback(host))
        log << "warning: listening on " << host << ": anyone who can reach this machine can use the dashboard\n";
    log << "press Ctrl-C to stop" << std::endl;
    out << "http://" << shown << ':' << port << "/" << std::endl;
    const bool ok = server.listen();
    done = true;
    const int sig = received;
    if (sig == 0) pthread_kill(waiter.native_handle(), SIGTERM);  // wake the waiter: it exits at once
    waiter.join();
    pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
    if (sig != 0 && ok) {
        log << "stopped (" << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ")" << std::endl;
        return 0;
    }
    log << "sdsim: error: the server stopped unexpectedly" << std::endl;
    return 1;
}

}  // namespace sim::serve
