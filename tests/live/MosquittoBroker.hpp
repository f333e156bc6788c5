#pragma once
// Test fixture: a real /usr/sbin/mosquitto on 127.0.0.1, with a generated configuration in a
// temporary folder. Started, stopped (SIGTERM) and restarted on the same port by the test itself;
// killed when the object goes. Every wait is bounded.
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace twinbed::testing {

// A folder under /tmp removed with its contents at the end of scope.
class TempDir {
public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "twinbed-live-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
  std::filesystem::path path_;
};

// A TCP port on 127.0.0.1 nobody listens on right now: bind port 0 and read back what the
// kernel picked.
inline int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("cannot pick a free port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

inline bool port_accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  if (fd >= 0) close(fd);
  return ok;
}

// Polls `done` every 2 ms until it holds or `timeout` passes.
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

class MosquittoBroker {
public:
  // `listeners`: configuration after the common header, with the listener lines; `port` is the
  // port url() names. start() waits for every "listener PORT" line: mosquitto opens them one after
  // the other, and a client racing to a later one is refused.
  MosquittoBroker(const std::filesystem::path& folder, int port, const std::string& listeners)
      : folder_(folder), port_(port) {
    std::istringstream lines(listeners);
    for (std::string line; std::getline(lines, line);) {
      if (line.starts_with("listener ")) listening_.push_back(std::stoi(line.substr(9)));
    }
    std::ofstream config(folder / "mosquitto.conf");
    // As root, mosquitto switches to the user "mosquitto", which cannot read a private key in a
    // 0700 temporary folder; `user` keeps the current user (ignored when not root).
    if (geteuid() == 0) config << "user root\n";
    // Unlimited queues: QoS 0 messages to a subscriber more than max_queued_messages (default 1000)
    // packets behind are dropped by the broker otherwise (mosquitto.conf(5)); tests count exactly.
    config << "max_queued_messages 0\nmax_inflight_messages 0\n"
           << "persistence true\npersistence_location " << folder.string() << "/\n"
           << "queue_qos0_messages true\nper_listener_settings true\n"
           << "log_dest stderr\nlog_type error\nlog_type warning\n"
           << listeners;
  }
  ~MosquittoBroker() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  int port() const { return port_; }
  std::string url(const char* scheme = "mqtt") const {
    std::string text = scheme;
    text += "://127.0.0.1:";
    text += std::to_string(port_);
    return text;
  }

  void start() {
    const std::string config = (folder_ / "mosquitto.conf").string();
    const std::string log = (folder_ / "broker.log").string();
    pid_ = fork();
    if (pid_ == 0) {
      FILE* out = std::freopen(log.c_str(), "a", stderr);
      (void)out;
      execl("/usr/sbin/mosquitto", "mosquitto", "-c", config.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    const bool up = wait_until(
        [&] {
          int status = 0;
          if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return true;
          }
          return port_accepts(port_) &&
                 std::all_of(listening_.begin(), listening_.end(), [](int port) { return port_accepts(port); });
        },
        std::chrono::seconds(5));
    if (!up || pid_ < 0) throw std::runtime_error("mosquitto did not start: " + this->log());
  }

  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    if (!wait_until([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, std::chrono::seconds(5))) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
  }

  // SIGSTOP / SIGCONT: a broker that keeps its connections open but answers nothing.
  void freeze() const {
    if (pid_ > 0) kill(pid_, SIGSTOP);
  }
  void thaw() const {
    if (pid_ > 0) kill(pid_, SIGCONT);
  }

  std::string log() const {
    std::ifstream file(folder_ / "broker.log");
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }

private:
  std::filesystem::path folder_;
  int port_ = 0;
  std::vector<int> listening_;
  pid_t pid_ = -1;
};

}  // namespace twinbed::testing
