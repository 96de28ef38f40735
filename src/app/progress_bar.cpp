#include "progress_bar.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>

#include "sgdlaw/core/format.hpp"

namespace sgdlaw {
namespace {

int terminal_columns() {
  winsize w{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0) return w.ws_col;
  return 80;
}

// "42s", "3m05s", "2h14m".
std::string duration(double s) {
  if (s < 60) return format_printf("%.0fs", s);
  if (s < 3600) return format_printf("%dm%02ds", static_cast<int>(s / 60), static_cast<int>(s) % 60);
  return format_printf("%dh%02dm", static_cast<int>(s / 3600), static_cast<int>(s / 60) % 60);
}

bool quiet_flag = false;

}  // namespace

void set_quiet_mode(bool quiet) { quiet_flag = quiet; }
bool quiet_mode() { return quiet_flag; }

ProgressBar::ProgressBar(bool enabled, std::string unit)
    : enabled_(enabled && !quiet_flag),
      tty_(::isatty(STDERR_FILENO) != 0),
      unit_(std::move(unit)),
      start_(std::chrono::steady_clock::now()) {}

std::string ProgressBar::eta_text(double frac, double elapsed) const {
  // An ETA from the first percent or the first second is noise: say so instead of a number.
  if (frac < 0.02 || elapsed < 1.0) return "ETA ...";
  return "ETA " + duration(elapsed * (1.0 - frac) / frac);
}

void ProgressBar::update(std::int64_t done, std::int64_t total) {
  if (!enabled_ || total <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double frac = static_cast<double>(done) / static_cast<double>(total);
  const std::string text =
      format_printf(" %5.1f%%  %lld/%lld %s  %s elapsed  ", 100.0 * frac, static_cast<long long>(done),
                    static_cast<long long>(total), unit_.c_str(), duration(elapsed).c_str()) +
      eta_text(frac, elapsed);
  if (tty_) {
    // The whole line fits the terminal (one column spare), so a redraw never wraps.
    const int columns = terminal_columns();
    const int width = std::max(0, std::min(30, columns - 1 - static_cast<int>(text.size()) - 2));
    std::string line = width >= 5 ? "[" + std::string(static_cast<std::size_t>(frac * width), '#') : "";
    if (width >= 5) line += std::string(static_cast<std::size_t>(width) - (line.size() - 1), '.') + "]";
    line += text;
    if (static_cast<int>(line.size()) > columns - 1) line.resize(static_cast<std::size_t>(std::max(0, columns - 1)));
    std::fprintf(stderr, "\r%s\033[K", line.c_str());
    drawn_ = true;
  } else {
    // Not a terminal (a log file, a batch job): a line every 10% or every 30 s, whichever comes first.
    const int decile = static_cast<int>(frac * 10.0);
    const double since = std::chrono::duration<double>(now - last_line_).count();
    if (decile > last_decile_ || (last_decile_ >= 0 && since >= 30.0)) {
      last_decile_ = std::max(decile, last_decile_);
      last_line_ = now;
      std::fprintf(stderr, "progress:%s\n", text.c_str());
    }
  }
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (enabled_ && tty_ && drawn_) std::fprintf(stderr, "\n");
}

}  // namespace sgdlaw
