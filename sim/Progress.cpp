#include "sim/Progress.hpp"

#include <unistd.h>

#include <cstdlib>

namespace twinbed::sim {

bool interactive_terminal(std::FILE* stream) {
  const char* ci = std::getenv("CI");
  if (ci != nullptr && *ci != '\0') return false;
  return ::isatty(::fileno(stream)) == 1;
}

Progress::Progress(Time end, std::FILE* out)
    : end_(end), out_(out), enabled_(interactive_terminal(out)), start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void Progress::update(Time now, std::uint64_t events_executed) {
  if (!enabled_) return;
  const auto wall_now = std::chrono::steady_clock::now();
  if (drawn_ && wall_now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = wall_now;
  drawn_ = true;
  const double elapsed = std::chrono::duration<double>(wall_now - start_).count();
  const double fraction = end_.ns() > 0 ? static_cast<double>(now.ns()) / static_cast<double>(end_.ns()) : 1.0;
  const double rate = elapsed > 0.0 ? static_cast<double>(events_executed) / elapsed : 0.0;
  const double eta = fraction > 0.0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
  constexpr int WIDTH = 30;
  const int filled = static_cast<int>(fraction * WIDTH);
  char bar[WIDTH + 1];
  for (int i = 0; i < WIDTH; ++i) bar[i] = i < filled ? '#' : '.';
  bar[WIDTH] = '\0';
  std::fprintf(out_, "\r[%s] %5.1f%%  sim %.0f/%.0f s  %.2e events/s  ETA %.0f s   ", bar, 100.0 * fraction,
               now.seconds(), end_.seconds(), rate, eta);
  std::fflush(out_);
}

void Progress::finish() {
  if (!enabled_ || !drawn_) return;
  std::fprintf(out_, "\r%*s\r", 100, "");
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace twinbed::sim
