#include "sgdlaw/sweep/theory.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sgdlaw {
namespace {

// One linear piece of a term's exponent, e(mu) = c + s mu, valid for mu in [lo, hi].
struct Piece {
  double c, s, lo, hi;
  int term;
};

const char* const kTermNames[] = {"approx", "bias", "k_pp", "f_ac", "variance"};
enum Term { kApprox, kBias, kKpp, kFac, kVar };

// The pieces of every term present for (a, b, sigma), from the header's table of e_k(mu).
std::vector<Piece> pieces(double a, double b, double sigma) {
  const double A = std::min(a, b - 1.0);
  std::vector<Piece> p = {{0.0, -A, 0.0, 1.0, kApprox},
                          {-(b - 1.0) / a, (b - 1.0) / a, 0.0, 1.0, kBias},
                          {-(2.0 * a - 1.0) / a, (2.0 * a - 1.0) / a, 0.0, 1.0, kKpp}};
  if (b > a + 1.0) p.push_back({-(a - 1.0) / a, -1.0 + (a - 1.0) / a, 0.0, 1.0, kFac});
  if (sigma > 0.0) {
    // min(mu, (1 - mu)/a) - (1 - mu): mu - (1 - mu) below mu = 1/(a + 1), (1 - mu)(1/a - 1) above.
    const double knee = 1.0 / (a + 1.0);
    p.push_back({-1.0, 2.0, 0.0, knee, kVar});
    p.push_back({1.0 / a - 1.0, 1.0 - 1.0 / a, knee, 1.0, kVar});
  }
  return p;
}

double term_value(const std::vector<Piece>& ps, int term, double mu) {
  double v = -std::numeric_limits<double>::infinity();
  for (const Piece& q : ps)
    if (q.term == term && mu >= q.lo - 1e-15 && mu <= q.hi + 1e-15) v = std::max(v, q.c + q.s * mu);
  return v;
}

double envelope(const std::vector<Piece>& ps, double mu) {
  double v = -std::numeric_limits<double>::infinity();
  for (int t = kApprox; t <= kVar; ++t) v = std::max(v, term_value(ps, t, mu));
  return v;
}

}  // namespace

ComputeOptimal compute_optimal(double a, double b, double sigma) {
  const std::vector<Piece> ps = pieces(a, b, sigma);
  // The envelope max_k e_k is piecewise linear; its minimum over [0, 1] lies at an end, a piece's end, or where
  // two pieces cross.
  std::vector<double> candidates = {0.0, 1.0};
  for (const Piece& q : ps) {
    candidates.push_back(q.lo);
    candidates.push_back(q.hi);
  }
  for (std::size_t i = 0; i < ps.size(); ++i)
    for (std::size_t j = i + 1; j < ps.size(); ++j)
      if (ps[i].s != ps[j].s) {
        const double mu = (ps[j].c - ps[i].c) / (ps[i].s - ps[j].s);
        if (mu >= 0.0 && mu <= 1.0) candidates.push_back(mu);
      }
  ComputeOptimal best;
  best.r = std::numeric_limits<double>::infinity();
  for (double mu : candidates) {
    const double v = envelope(ps, mu);
    if (v < best.r - 1e-13 || (std::fabs(v - best.r) <= 1e-13 && mu < best.mu)) {
      best.r = v;
      best.mu = mu;
    }
  }
  // The terms on the envelope at mu*: the decreasing one and the increasing one that meet there.
  std::string down, up;
  for (int t = kApprox; t <= kVar; ++t) {
    if (std::fabs(term_value(ps, t, best.mu) - best.r) > 1e-9) continue;
    const double slope = term_value(ps, t, std::min(1.0, best.mu + 1e-7)) - term_value(ps, t, best.mu);
    std::string& side = slope < 0 ? down : up;
    if (side.empty()) side = kTermNames[t];
  }
  best.balance = (down.empty() ? "?" : down) + "-" + (up.empty() ? "?" : up);
  // The next term: physical terms at mu* (the bias is the larger of its two laws), those not on the envelope.
  const double bias = std::max(term_value(ps, kBias, best.mu), term_value(ps, kKpp, best.mu));
  const std::pair<const char*, double> terms[] = {{"approx", term_value(ps, kApprox, best.mu)},
                                                  {"bias", bias},
                                                  {"f_ac", term_value(ps, kFac, best.mu)},
                                                  {"variance", term_value(ps, kVar, best.mu)}};
  int on = 0;
  double next = -std::numeric_limits<double>::infinity();
  for (const auto& [name, v] : terms) {
    if (std::fabs(v - best.r) <= 1e-9) {
      ++on;
    } else if (v > next) {
      next = v;
      best.next = name;
    }
  }
  best.next_gap = on >= 3 ? 0.0 : best.r - next;  // +inf when no other term is present
  if (on >= 3) best.next = "a third term on the frontier";
  if (best.next.empty()) best.next = "none";
  return best;
}

AsymptoticCall frontier_asymptotic(double a, double b, double sigma, double c_lo, double tolerance) {
  const ComputeOptimal co = compute_optimal(a, b, sigma);
  AsymptoticCall call;
  const auto balances = [&](const char* term) { return co.balance.find(term) != std::string::npos; };
  const bool approx = balances("approx"), bias = balances("bias") || balances("k_pp");
  if (co.next_gap <= 0.0) {
    call.reason = "three terms meet on the frontier (b = a with noise)";
    return call;
  }
  if (approx && b == a + 1.0) {
    call.reason = "b = a + 1: the approximation error carries a log factor";
    return call;
  }
  if (bias && b == 2.0 * a) {
    call.reason = "b = 2a: the bias's two laws meet";
    return call;
  }
  const auto error = [&](double q) { return q > 0.0 && std::isfinite(q) ? q * std::pow(c_lo, -q) : 0.0; };
  // The one constant that is known: the variance carries sigma^2 against the unit constants of the other terms.
  const bool var_balances = balances("variance");
  const double s2 = sigma * sigma;
  const double next_factor = co.next == "variance" ? s2 : var_balances && s2 > 0.0 ? 1.0 / s2 : 1.0;
  const std::pair<std::string, double> parts[] = {
      {co.next + " has not separated from the two that balance", next_factor * error(co.next_gap)},
      {"the approximation error's two laws (M^(1-b), M^-a) have not separated",
       approx ? error(co.mu * std::fabs(a + 1.0 - b)) : 0.0},
      {"the bias's two laws (N^-(b-1)/a, N^-(2a-1)/a) have not separated",
       bias ? error((1.0 - co.mu) * std::fabs(2.0 * a - b) / a) : 0.0}};
  double largest = 0.0;
  for (const auto& [why, e] : parts) {
    call.predicted_error += e;
    if (e > largest) {
      largest = e;
      call.reason = why;
    }
  }
  call.asymptotic = call.predicted_error <= 0.5 * tolerance;
  if (call.asymptotic) call.reason.clear();
  return call;
}

double constant_step_bias_level(double a, double b, double gamma, double n, double kappa) {
  return std::tgamma((b - 1.0) / a) / a * std::pow(2.0 * gamma * n, -(b - 1.0) / a) / (1.0 - kappa);
}

double multiplicative_noise_kappa(const std::vector<double>& mu, const std::vector<double>& weight, double gamma) {
  double k = 0.0;
  for (std::size_t j = 0; j < mu.size(); ++j)
    k += (weight.empty() ? 1.0 : weight[j]) * gamma * mu[j] / (2.0 - gamma * mu[j]);
  return k;
}

double theory_level_ratio(const RunResult& r) {
  const Config& c = r.plan.config;
  // (the level is SGD's: other optimizers have none here)
  if (c.sketch != SketchKind::kIdentity || c.sigma != 0.0 || c.schedule != ScheduleKind::kConstant || c.batch != 1 ||
      c.dataset > 0 || c.optimizer != OptimizerKind::kSgd || r.rows.empty() || r.plan.sketches.empty())
    return -1.0;
  const SketchSetup& s = r.plan.sketches[0];
  const std::vector<double> mu(s.mu.data(), s.mu.data() + s.mu.size());
  const std::vector<double> w(s.weight.data(), s.weight.data() + s.weight.size());
  const CurveRow& last = r.rows.back();
  const double level = constant_step_bias_level(c.a, c.b, c.gamma, static_cast<double>(last.samples),
                                                multiplicative_noise_kappa(mu, w, c.gamma));
  return level > 0.0 && std::isfinite(level) ? last.risk_exact / level : -1.0;
}

double variance_law(double a, double sigma, double M, double n_eff) {
  return sigma * sigma * std::min(M, std::pow(n_eff, 1.0 / a)) / n_eff;
}

ScalingTheory scaling_theory(double a, double b, double sigma) {
  ScalingTheory t;
  t.approx_m = -std::min(a, b - 1.0);
  t.approx_log = b == a + 1.0;
  t.bias_n = -std::min(b - 1.0, 2.0 * a - 1.0) / a;
  t.bias_saturated = b > 2.0 * a;
  t.has_f_ac = b > a + 1.0;
  t.variance_n = sigma > 0.0 ? -(1.0 - 1.0 / a) : 0.0;
  t.m_law = t.approx_m;
  // R - sigma^2 - Approx vs N_eff: the bias, or with noise the variance where it decays more slowly (b > a).
  t.n_law = sigma > 0.0 ? std::max(t.bias_n, t.variance_n) : t.bias_n;
  const ComputeOptimal co = compute_optimal(a, b, sigma);
  t.m_star = co.mu;
  t.r_star = co.r;
  t.balance = co.balance;
  if (sigma > 0.0)
    t.phase = b <= a ? "Ia" : b <= a + 1.0 ? "noisy Ia" : "noisy II/III";
  else
    t.phase = b <= a + 1.0 ? "Ia" : b <= 2.0 * a ? "II" : "III";
  return t;
}

}  // namespace sgdlaw
