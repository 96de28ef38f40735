#include "progress_bar.hpp"

#include <unistd.h>

#include <cstdio>

namespace sgdlaw {

ProgressBar::ProgressBar(bool enabled)
    : enabled_(enabled), tty_(::isatty(STDERR_FILENO) != 0), start_(std::chrono::steady_clock::now()) {}

void ProgressBar::update(std::int64_t done, std::int64_t total) {
  if (!enabled_ || total <= 0) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double frac = static_cast<double>(done) / static_cast<double>(total);
  const double eta = done > 0 ? elapsed * (1.0 - frac) / frac : 0.0;
  if (tty_) {
    const int width = 30, fill = static_cast<int>(frac * width);
    char bar[width + 1];
    for (int i = 0; i < width; ++i) bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    std::fprintf(stderr, "\r[%s] %5.1f%%  %lld/%lld trials  %.1fs elapsed  ETA %s%.1fs ", bar, 100.0 * frac,
                 static_cast<long long>(done), static_cast<long long>(total), elapsed, done > 0 ? "" : "~", eta);
    drawn_ = true;
  } else {
    const int decile = static_cast<int>(frac * 10.0);
    if (decile > last_decile_) {
      last_decile_ = decile;
      std::fprintf(stderr, "progress: %3d%%  %lld/%lld trials  %.1fs elapsed  ETA %.1fs\n", decile * 10,
                   static_cast<long long>(done), static_cast<long long>(total), elapsed, eta);
    }
  }
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (enabled_ && tty_ && drawn_) std::fprintf(stderr, "\n");
}

}  // namespace sgdlaw
