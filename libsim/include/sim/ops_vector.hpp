// The vector functions (VECTOR SORT ORDER, VECTOR RANK, VECTOR REORDER,
// VECTOR ELM MAP, VECTOR SELECT, RANK, ALLOCATE BY PRIORITY, ALLOCATE
// AVAILABLE, INVERT MATRIX) as inline functions: the one authority for their
// meaning, which the interpreter (compile/vector_ops.hpp: each Code::vector
// instruction) and the C++ written by the code generator both call, so that
// their results are the same bit for bit. Each call reads its input slots,
// computes the whole vector it needs and returns element k (small vectors
// are the rule in system-dynamics models, and this keeps every instruction a
// pure function of slots). They allocate their working vectors. Only the
// standard library is included (native mode copies this header into the
// source it compiles). Changing what a function computes changes results.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

namespace sim::ops {

enum class VectorKind : std::uint8_t {
    sort_order,          // a: vector, p0: direction (> 0 ascending); 0-based index of the k-th in sorted order
    rank,                // a: vector, p0: direction; 1-based rank of element k
    reorder,             // a: vector, b: order (0-based indices); a[b[k]]
    elm_map,             // a: vector, p0: offset; a[k + offset] (k: the position named), NaN outside
    select,              // a: selection, b: expression, p0: missing value, p1: action (0..10)
    xmile_rank,          // a: array, p0: n; the 1-based position of the n-th smallest element
    allocate_priority,   // a: request, b: priority, p0: width, p1: supply; the share of element k
    allocate_available,  // a: request, b: profiles (4 per element), p0: available; the share of element k
    invert_matrix,       // a: n x n matrix, row-major; element k (row-major) of its inverse, NaN if singular
};

// One call: its input slots (a, b: na and nb of them), its scalar inputs
// (slots p0, p1) and the element k it computes.
struct VectorCall {
    VectorKind kind;
    const std::uint32_t* a;
    std::size_t na;
    const std::uint32_t* b;
    std::size_t nb;
    std::uint32_t p0, p1, k;
};

namespace vector_detail {

inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();

inline std::vector<double> values(const std::uint32_t* slots, std::size_t n, const double* s) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = s[slots[i]];
    return v;
}

// Indices in sorted order: ascending (stable), or for direction <= 0 the
// ascending order reversed (Vensim's VECTOR SORT ORDER with 0).
inline std::vector<std::size_t> order(const std::vector<double>& v, double direction) {
    std::vector<std::size_t> idx(v.size());
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t i, std::size_t j) { return v[i] < v[j]; });
    if (direction <= 0) std::reverse(idx.begin(), idx.end());
    return idx;
}

// Vensim's VECTOR SELECT: the selected values combined by `action`.
inline double select(const std::vector<double>& sel, const std::vector<double>& x, double missing, double action) {
    if (!(action >= 0 && action <= 10) || action != std::floor(action)) return nan;
    const int a = static_cast<int>(action);
    double sum = 0, prod = 1, lo = std::numeric_limits<double>::infinity(), hi = -lo;
    std::size_t n = 0;
    for (std::size_t i = 0; i < sel.size() && i < x.size(); ++i) {
        if (sel[i] == 0) continue;
        const double v = a <= 4 ? sel[i] * x[i] : a == 5 ? std::pow(x[i], sel[i]) : x[i];
        sum += v;
        prod *= v;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        ++n;
    }
    if (n == 0) return missing;
    switch (a) {
        case 0: case 6: return sum;
        case 1: case 5: case 7: return prod;
        case 2: case 8: return lo;
        case 3: case 9: return hi;
        default: return sum / static_cast<double>(n);
    }
}

// Vensim's ALLOCATE BY PRIORITY: supply goes to the highest priority
// first; a target starts receiving once the one before it has received
// min(priority gap / width, 1) of its request; active targets share in
// proportion to their requests.
inline double allocate_by_priority(const std::vector<double>& req, const std::vector<double>& pri, double width, double supply,
                            std::size_t k) {
    if (k >= req.size() || req.size() != pri.size()) return nan;
    if (!(width > 0) || std::any_of(req.begin(), req.end(), [](double r) { return r < 0; })) return nan;
    double total = 0;
    for (double r : req) total += r;
    if (supply >= total) return req[k];
    if (!(supply > 0) || req[k] == 0) return 0;
    std::vector<std::size_t> ids;
    for (std::size_t i = 0; i < req.size(); ++i)
        if (req[i] != 0) ids.push_back(i);
    std::stable_sort(ids.begin(), ids.end(), [&](std::size_t i, std::size_t j) { return pri[i] > pri[j]; });
    const std::size_t m = ids.size();
    std::vector<double> r(m), out(m, 0.0), dist(m, std::numeric_limits<double>::infinity());
    std::vector<char> active(m, 0), done(m, 0);
    for (std::size_t j = 0; j < m; ++j) r[j] = req[ids[j]];
    for (std::size_t j = 0; j + 1 < m; ++j) dist[j] = std::min((pri[ids[j]] - pri[ids[j + 1]]) / width, 1.0) * r[j];
    active[0] = 1;
    std::size_t c = 0;
    for (std::size_t guard = 0; supply > 0 && guard < 4 * m + 8; ++guard) {
        while (c + 1 < m && out[c] >= dist[c] - 1e-12 * std::max(1.0, std::abs(dist[c]))) {
            ++c;
            active[c] = !done[c];
        }
        double share = 0;
        for (std::size_t j = 0; j < m; ++j)
            if (active[j]) share += r[j];
        if (share <= 0) break;
        double dx = supply;
        for (std::size_t j = 0; j < m; ++j)
            if (active[j]) dx = std::min(dx, (r[j] - out[j]) * share / r[j]);
        if (c + 1 < m && active[c]) dx = std::min(dx, (dist[c] - out[c]) * share / r[c]);
        dx = std::max(dx, 0.0);
        for (std::size_t j = 0; j < m; ++j)
            if (active[j]) out[j] += r[j] / share * dx;
        supply -= dx;
        for (std::size_t j = 0; j < m; ++j)
            if (active[j] && out[j] >= r[j] * (1 - 1e-12)) {
                out[j] = r[j];
                active[j] = 0;
                done[j] = 1;
            }
    }
    for (std::size_t j = 0; j < m; ++j)
        if (ids[j] == k) return out[j];
    return 0;
}

// One target's curve for ALLOCATE AVAILABLE: how much of request q it
// takes at priority level x (non-increasing in x, from q to 0), by profile
// type (1 rectangular, 2 triangular, 3 normal, 4 exponential).
inline double curve(double q, double type, double p, double w, double x) {
    if (q == 0) return 0;
    const double h = 0.5 * w;
    switch (static_cast<int>(type)) {
        case 1:
            if (x <= p - h) return q;
            if (x < p + h) return q * (1 - (x - p + h) / w);
            return 0;
        case 2:
            if (x <= p - h) return q;
            if (x < p) return q * (1 - 2 * (x - p + h) * (x - p + h) / (w * w));
            if (x < p + h) return 2 * q * (p + h - x) * (p + h - x) / (w * w);
            return 0;
        case 3: return q * 0.5 * std::erfc((x - p) / (std::sqrt(2.0) * w));
        case 4: return x < p ? q * (1 - 0.5 * std::exp((x - p) / w)) : q * 0.5 * std::exp((p - x) / w);
        default: return nan;
    }
}

// Vensim's ALLOCATE AVAILABLE: the priority level at which the targets'
// curves add up to the available amount (bisection: the sum is
// continuous and non-increasing), and target k's take at that level.
inline double allocate_available(const std::vector<double>& req, const std::vector<double>& pp, double avail, std::size_t k) {
    const std::size_t n = req.size();
    if (k >= n || pp.size() != 4 * n) return nan;
    double total = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (std::size_t i = 0; i < n; ++i) {
        if (req[i] < 0) return nan;
        total += req[i];
        if (req[i] == 0) continue;
        const double type = pp[4 * i], p = pp[4 * i + 1], w = pp[4 * i + 2];
        if (!(w > 0) || (type != 1 && type != 2 && type != 3 && type != 4)) return nan;
        lo = std::min(lo, p - 50 * w);
        hi = std::max(hi, p + 50 * w);
    }
    if (avail >= total) return req[k];
    if (!(avail > 0)) return 0;
    auto sum = [&](double x) {
        double s = 0;
        for (std::size_t i = 0; i < n; ++i) s += curve(req[i], pp[4 * i], pp[4 * i + 1], pp[4 * i + 2], x);
        return s;
    };
    for (int it = 0; it < 200 && hi - lo > 0; ++it) {
        const double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi) break;
        (sum(mid) > avail ? lo : hi) = mid;
    }
    const double x = 0.5 * (lo + hi);
    return curve(req[k], pp[4 * k], pp[4 * k + 1], pp[4 * k + 2], x);
}

// Element k (row-major) of the inverse of the n x n matrix `a`: column
// k % n of the inverse solves a x = e_(k % n), by Gauss-Jordan elimination
// with partial pivoting (each element is its own instruction, so only that
// column is carried). NaN for a non-finite entry or a singular matrix: a
// pivot no larger than n * epsilon * the largest |a_ij| (a rank-deficient
// matrix leaves a pivot of rounding noise rather than an exact 0).
inline double invert_matrix(std::vector<double> a, std::size_t k) {
    std::size_t n = 0;
    while (n * n < a.size()) ++n;
    if (n == 0 || n * n != a.size() || k >= a.size()) return nan;
    double scale = 0;
    for (double x : a) {
        if (!std::isfinite(x)) return nan;
        scale = std::max(scale, std::abs(x));
    }
    const double tiny = static_cast<double>(n) * std::numeric_limits<double>::epsilon() * scale;
    std::vector<double> b(n, 0.0);
    b[k % n] = 1;
    for (std::size_t j = 0; j < n; ++j) {
        std::size_t p = j;
        for (std::size_t i = j + 1; i < n; ++i)
            if (std::abs(a[i * n + j]) > std::abs(a[p * n + j])) p = i;
        if (!(std::abs(a[p * n + j]) > tiny)) return nan;
        if (p != j) {
            for (std::size_t c = j; c < n; ++c) std::swap(a[p * n + c], a[j * n + c]);
            std::swap(b[p], b[j]);
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (i == j) continue;
            const double f = a[i * n + j] / a[j * n + j];
            if (f == 0) continue;
            for (std::size_t c = j; c < n; ++c) a[i * n + c] -= f * a[j * n + c];
            b[i] -= f * b[j];
        }
    }
    const std::size_t row = k / n;
    return b[row] / a[row * n + row];
}

}  // namespace vector_detail

inline double vector_value(const VectorCall& op, const double* s) {
    using namespace vector_detail;
    switch (op.kind) {
        case VectorKind::sort_order: {
            auto idx = order(values(op.a, op.na, s), s[op.p0]);
            return op.k < idx.size() ? static_cast<double>(idx[op.k]) : nan;
        }
        case VectorKind::rank: {
            auto idx = order(values(op.a, op.na, s), s[op.p0]);
            for (std::size_t r = 0; r < idx.size(); ++r)
                if (idx[r] == op.k) return static_cast<double>(r + 1);
            return nan;
        }
        case VectorKind::reorder: {
            if (op.k >= op.nb) return nan;
            const double i = s[op.b[op.k]];
            if (!(i >= 0 && i < static_cast<double>(op.na))) return nan;
            return s[op.a[static_cast<std::size_t>(i)]];
        }
        case VectorKind::elm_map: {
            const double i = static_cast<double>(op.k) + std::floor(s[op.p0] + 0.5);
            if (!(i >= 0 && i < static_cast<double>(op.na))) return nan;
            return s[op.a[static_cast<std::size_t>(i)]];
        }
        case VectorKind::select: return select(values(op.a, op.na, s), values(op.b, op.nb, s), s[op.p0], s[op.p1]);
        case VectorKind::xmile_rank: {
            const double n = s[op.p0];
            auto idx = order(values(op.a, op.na, s), 1);
            if (!(n >= 1 && n <= static_cast<double>(idx.size()))) return nan;
            return static_cast<double>(idx[static_cast<std::size_t>(n) - 1] + 1);
        }
        case VectorKind::allocate_priority:
            return allocate_by_priority(values(op.a, op.na, s), values(op.b, op.nb, s), s[op.p0], s[op.p1], op.k);
        case VectorKind::allocate_available: return allocate_available(values(op.a, op.na, s), values(op.b, op.nb, s), s[op.p0], op.k);
        case VectorKind::invert_matrix: return invert_matrix(values(op.a, op.na, s), op.k);
    }
    return nan;
}

}  // namespace sim::ops
