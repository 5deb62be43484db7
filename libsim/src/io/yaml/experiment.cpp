// `uncertainties:`, `correlations:` and `checks:` in model and scenario
// files (see yaml_experiment.hpp). Every error carries file:line:col and
// the parameter or check it is about; reading goes on after an error.
#include "io/yaml/experiment.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/sampling.hpp"
#include "util/text.hpp"

namespace sim::yaml_detail {

namespace {

// Suffixes of the constants a lever L generates (see sim::Lever).
constexpr const char* lever_fields[] = {"_on", "_intensity", "_start", "_phase_in"};

// The lever and field a name like `land_intensity` sets, if it is one.
std::optional<std::pair<const Lever*, std::string>> lever_field(const ModelSpec& m, const std::string& name) {
    const std::string c = canonical_name(name);
    for (const auto& l : m.levers)
        for (const char* suf : lever_fields)
            if (c == canonical_name(l.name) + suf) return std::make_pair(&l, std::string(suf));
    return std::nullopt;
}

std::vector<std::string> constant_names(const ModelSpec& m) {
    std::vector<std::string> out;
    for (const auto& v : m.variables)
        if (v.kind == VarKind::constant) out.push_back(v.name);
    return out;
}

// An unordered pair of names, as a key.
std::pair<std::string, std::string> pair_key(const std::string& a, const std::string& b) {
    std::string ca = canonical_name(a), cb = canonical_name(b);
    if (cb < ca) std::swap(ca, cb);
    return {ca, cb};
}

std::string hint(const std::string& word, const std::vector<std::string>& cands) {
    auto c = text::closest(word, cands);
    return c ? " (did you mean '" + *c + "'?)" : "";
}

class ExperimentReader {
public:
    ExperimentReader(const Reader& r, ModelSpec& m, bool have_model) : r_(r), m_(m), have_model_(have_model) {}

    void uncertainties(const YAML::Node& node, const SourceLoc& key_loc);
    void correlations(const YAML::Node& node, const SourceLoc& key_loc);
    void checks(const YAML::Node& node, const SourceLoc& key_loc);

private:
    std::optional<Distribution> distribution(const std::string& name, const YAML::Node& key, const YAML::Node& val,
                                             std::string& doc);
    // A constant a run can set: a model constant whose equation is a number,
    // or a lever's generated setting (not L_on if `allow_on` is false).
    bool settable(const std::string& name, const SourceLoc& at, const std::string& role, bool allow_on);
    void check_overrides(BehaviourCheck& c, const YAML::Node& node, const SourceLoc& key_loc);
    void check_levers(BehaviourCheck& c, const YAML::Node& node, const SourceLoc& key_loc);
    std::optional<std::vector<double>> numbers(const YAML::Node& n, const SourceLoc& key_loc,
                                               const std::string& var, const std::string& what);

    const Reader& r_;
    ModelSpec& m_;
    bool have_model_;
};

bool ExperimentReader::settable(const std::string& name, const SourceLoc& at, const std::string& role,
                                bool allow_on) {
    if (!have_model_) return true;
    if (auto lf = lever_field(m_, name)) {
        if (!allow_on && lf->second == "_on") {
            r_.error(sim::Code::E_NOT_CONSTANT, at, name,
                     "'" + name + "' switches lever '" + lf->first->name +
                         "' on or off: that is a decision, not an uncertainty (compare lever combinations instead)");
            return false;
        }
        return true;
    }
    const Variable* v = m_.find(name);
    if (!v) {
        r_.error(sim::Code::E_UNKNOWN_PARAM, at, name, "the model has no constant '" + name + "'" + hint(name, constant_names(m_)));
        return false;
    }
    if (v->kind != VarKind::constant) {
        r_.error(sim::Code::E_NOT_CONSTANT, at, name,
                 "'" + name + "' is a" + (v->kind == VarKind::aux ? "n " : " ") + to_string(v->kind) +
                     ", not a constant; " + role);
        return false;
    }
    if (!v->equation.number_value()) {
        r_.error(sim::Code::E_NOT_CONSTANT, at, name,
                 "constant '" + name + "' is the expression '" + std::string(text::trim(v->equation.text)) +
                     "', which a run cannot set; " + role + " (give it a number)");
        return false;
    }
    return true;
}

std::optional<std::vector<double>> ExperimentReader::numbers(const YAML::Node& n, const SourceLoc& key_loc,
                                                             const std::string& var, const std::string& what) {
    std::vector<double> out;
    if (!n.IsSequence()) {
        r_.error(sim::Code::E_DIST_PARAM, n.IsNull() ? key_loc : r_.loc(n), var, what + " must be a list of numbers, e.g. [1, 2, 3]");
        return std::nullopt;
    }
    bool ok = true;
    for (const auto& x : n) {
        if (auto v = r_.number(x, r_.loc(n), var, "each of " + what)) out.push_back(*v);
        else ok = false;
    }
    if (!ok) return std::nullopt;
    return out;
}

std::optional<Distribution> ExperimentReader::distribution(const std::string& name, const YAML::Node& key,
                                                           const YAML::Node& val, std::string& doc) {
    const SourceLoc kl = r_.loc(key);
    if (!val.IsMap()) {
        r_.error(sim::Code::E_YAML_TYPE, val.IsNull() ? kl : r_.loc(val), name,
                 "an uncertainty is a mapping such as {dist: uniform, min: 1, max: 3}");
        return std::nullopt;
    }
    YAML::Node dn = get(val, "dist");
    if (!dn.IsDefined()) {
        r_.error(sim::Code::E_DIST_KIND, kl, name,
                 "uncertainty '" + name + "' names no distribution; add 'dist:' (uniform, triangular, normal, "
                 "lognormal, beta or discrete)");
        return std::nullopt;
    }
    auto ds = r_.scalar(dn, r_.loc(get_key(val, "dist")), name, "'dist'");
    if (!ds) return std::nullopt;
    auto kind = parse_dist_kind(*ds);
    if (!kind) {
        static const std::vector<std::string> kinds = {"uniform", "triangular", "normal", "lognormal", "beta", "discrete"};
        std::string h = hint(*ds, kinds);
        r_.error(sim::Code::E_DIST_KIND, r_.text_loc(dn), name,
                 "unknown distribution '" + *ds + "'" +
                     (h.empty() ? "; use uniform, triangular, normal, lognormal, beta or discrete" : h));
        return std::nullopt;
    }
    const std::string where = "the uncertainty '" + name + "'";
    const std::size_t errors = r_.diags().error_count();
    switch (*kind) {
        case DistKind::uniform: r_.check_keys(val, {"dist", "min", "max", "doc"}, name, where); break;
        case DistKind::triangular: r_.check_keys(val, {"dist", "min", "mode", "max", "doc"}, name, where); break;
        case DistKind::normal: r_.check_keys(val, {"dist", "mean", "sd", "min", "max", "doc"}, name, where); break;
        case DistKind::lognormal: r_.check_keys(val, {"dist", "mu", "sigma", "min", "max", "doc"}, name, where); break;
        case DistKind::beta: r_.check_keys(val, {"dist", "alpha", "beta", "min", "max", "doc"}, name, where); break;
        case DistKind::discrete: r_.check_keys(val, {"dist", "values", "weights", "doc"}, name, where); break;
    }
    if (YAML::Node n = get(val, "doc"); n.IsDefined() && !n.IsNull())
        if (auto s = r_.scalar(n, r_.loc(get_key(val, "doc")), name, "'doc'")) doc = *s;

    Distribution d;
    d.kind = *kind;
    if (*kind == DistKind::lognormal) d.min = 0;
    if (*kind == DistKind::beta) d.min = 0, d.max = 1;
    bool ok = true;
    auto param = [&](const char* k, double& dst, bool required) {
        YAML::Node n = get(val, k);
        if (!n.IsDefined()) {
            if (required) {
                r_.error(sim::Code::E_DIST_PARAM, kl, name,
                         std::string("a ") + to_string(*kind) + " distribution needs '" + k + "'");
                ok = false;
            }
            return;
        }
        if (auto x = r_.number(n, r_.loc(get_key(val, k)), name, std::string("'") + k + "'")) dst = *x;
        else ok = false;
    };
    switch (*kind) {
        case DistKind::uniform:
            param("min", d.min, true);
            param("max", d.max, true);
            break;
        case DistKind::triangular:
            param("min", d.min, true);
            param("mode", d.mode, true);
            param("max", d.max, true);
            break;
        case DistKind::normal:
            param("mean", d.mean, true);
            param("sd", d.sd, true);
            param("min", d.min, false);
            param("max", d.max, false);
            break;
        case DistKind::lognormal:
            param("mu", d.mu, true);
            param("sigma", d.sigma, true);
            param("min", d.min, false);
            param("max", d.max, false);
            break;
        case DistKind::beta:
            param("alpha", d.alpha, true);
            param("beta", d.beta, true);
            param("min", d.min, false);
            param("max", d.max, false);
            break;
        case DistKind::discrete: {
            YAML::Node v = get(val, "values");
            if (!v.IsDefined()) {
                r_.error(sim::Code::E_DIST_PARAM, kl, name, "a discrete distribution needs 'values: [...]'");
                ok = false;
            } else if (auto xs = numbers(v, r_.loc(get_key(val, "values")), name, "'values'")) {
                d.values = *xs;
            } else {
                ok = false;
            }
            if (YAML::Node w = get(val, "weights"); w.IsDefined()) {
                if (auto xs = numbers(w, r_.loc(get_key(val, "weights")), name, "'weights'")) d.weights = *xs;
                else ok = false;
            }
            break;
        }
    }
    if (!ok || r_.diags().error_count() != errors) return std::nullopt;
    if (auto e = validate(d)) {
        YAML::Node at = get(val, e->field);
        const SourceLoc where_at = !at.IsDefined() ? kl : at.IsScalar() ? r_.text_loc(at) : r_.loc(at);
        r_.error(sim::Code::E_DIST_PARAM, where_at, name, "uncertainty '" + name + "': " + e->message);
        return std::nullopt;
    }
    return d;
}

void ExperimentReader::uncertainties(const YAML::Node& node, const SourceLoc& key_loc) {
    if (node.IsNull()) return;
    if (!node.IsMap()) {
        r_.error(sim::Code::E_YAML_TYPE, key_loc, "",
                 "'uncertainties' must be a mapping of constant names to distributions, e.g. "
                 "'habit_time: {dist: uniform, min: 1, max: 3}'");
        return;
    }
    r_.check_keys(node, {}, "", "'uncertainties'");
    std::map<std::string, std::string> seen;  // canonical name -> key as written, in this file
    for (auto it = node.begin(); it != node.end(); ++it) {
        const YAML::Node key = it->first, val = it->second;
        if (!key.IsScalar()) continue;  // reported by check_keys
        const std::string name = key.Scalar();
        const SourceLoc kl = r_.loc(key);
        if (auto [pos, fresh] = seen.emplace(canonical_name(name), name); !fresh) {
            if (pos->second != name)  // an exact repeat is reported by check_keys
                r_.error(sim::Code::E_DUPLICATE, kl, name,
                         "'" + name + "' is declared twice, also as '" + pos->second +
                             "' (names ignore case, spaces and underscores)");
            continue;
        }
        std::string doc;
        auto d = distribution(name, key, val, doc);
        const bool ok = settable(name, kl, "only constants can be uncertain", false);
        if (!d || !ok) continue;
        Uncertainty u{name, *d, doc, kl};
        auto same = std::find_if(m_.uncertainties.begin(), m_.uncertainties.end(),
                                 [&](const Uncertainty& x) { return canonical_name(x.name) == canonical_name(name); });
        if (same != m_.uncertainties.end()) *same = std::move(u);
        else m_.uncertainties.push_back(std::move(u));
    }
}

void ExperimentReader::correlations(const YAML::Node& node, const SourceLoc& key_loc) {
    if (node.IsNull()) return;
    if (!node.IsSequence()) {
        r_.error(sim::Code::E_YAML_TYPE, key_loc, "",
                 "'correlations' must be a list of [parameter, parameter, rank correlation] entries");
        return;
    }
    std::vector<std::pair<std::string, std::string>> here;  // canonical pairs in this file
    for (const auto& e : node) {
        const SourceLoc el = r_.loc(e);
        if (!e.IsSequence() || e.size() != 3) {
            r_.error(sim::Code::E_CORRELATION, el, "",
                     "a correlation is a list of three: [parameter, parameter, rank correlation], e.g. [a, b, 0.3]");
            continue;
        }
        auto a = r_.scalar(e[0], el, "", "a correlated parameter");
        auto b = r_.scalar(e[1], el, "", "a correlated parameter");
        auto rho = r_.number(e[2], el, a.value_or(""), "a rank correlation");
        if (!a || !b || !rho) continue;
        if (!(*rho >= -1 && *rho <= 1)) {
            r_.error(sim::Code::E_CORRELATION, r_.text_loc(e[2]), *a,
                     "rank correlation " + e[2].Scalar() + " of '" + *a + "' and '" + *b + "' is outside [-1, 1]");
            continue;
        }
        const std::string ca = canonical_name(*a), cb = canonical_name(*b);
        if (ca == cb) {
            r_.error(sim::Code::E_CORRELATION, r_.text_loc(e[1]), *a, "'" + *a + "' is correlated with itself");
            continue;
        }
        const auto key = pair_key(ca, cb);
        if (std::find(here.begin(), here.end(), key) != here.end()) {
            r_.error(sim::Code::E_DUPLICATE, el, *a, "the correlation of '" + *a + "' and '" + *b + "' is given twice");
            continue;
        }
        here.push_back(key);
        RankCorrelation rc{*a, *b, *rho, el};
        auto same = std::find_if(m_.correlations.begin(), m_.correlations.end(), [&](const RankCorrelation& x) {
            return pair_key(x.a, x.b) == key;
        });
        if (same != m_.correlations.end()) *same = std::move(rc);
        else m_.correlations.push_back(std::move(rc));
    }
}

void ExperimentReader::check_overrides(BehaviourCheck& c, const YAML::Node& node, const SourceLoc& key_loc) {
    if (node.IsNull()) return;
    if (!node.IsMap()) {
        r_.error(sim::Code::E_YAML_TYPE, key_loc, c.name, "'set' must be a mapping of constant names to numbers");
        return;
    }
    r_.check_keys(node, {}, c.name, "'set' of the check '" + c.name + "'");
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) continue;
        const std::string name = it->first.Scalar();
        const SourceLoc kl = r_.loc(it->first);
        auto v = r_.number(it->second, kl, name, "the value of '" + name + "'");
        if (!settable(name, kl, "a check can set only constants", true) || !v) continue;
        c.set.emplace_back(name, *v);
        c.set_loc.push_back(kl);
    }
}

void ExperimentReader::check_levers(BehaviourCheck& c, const YAML::Node& node, const SourceLoc& key_loc) {
    if (node.IsNull()) return;
    if (!node.IsMap()) {
        r_.error(sim::Code::E_YAML_TYPE, key_loc, c.name, "'levers' must be a mapping of lever names to on/off or {on:, intensity:, ...}");
        return;
    }
    r_.check_keys(node, {}, c.name, "'levers' of the check '" + c.name + "'");
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) continue;
        const std::string name = it->first.Scalar();
        const SourceLoc kl = r_.loc(it->first);
        const YAML::Node val = it->second;
        std::string lever = name;
        if (have_model_) {
            const Lever* l = m_.find_lever(name);
            if (!l) {
                std::vector<std::string> names;
                for (const auto& x : m_.levers) names.push_back(x.name);
                r_.error(sim::Code::E_UNKNOWN_LEVER, kl, name, "the model has no lever '" + name + "'" + hint(name, names));
                continue;
            }
            lever = l->name;
        }
        auto add = [&](const char* suf, double v) {
            c.set.emplace_back(lever + suf, v);
            c.set_loc.push_back(kl);
        };
        if (val.IsScalar()) {
            if (auto b = r_.boolean(val, kl, name, "a lever setting")) add("_on", *b ? 1 : 0);
            continue;
        }
        if (!val.IsMap()) {
            r_.error(sim::Code::E_YAML_TYPE, val.IsNull() ? kl : r_.loc(val), name,
                     "a lever setting is on, off or {on: true, intensity: 0.5, start: ..., phase_in: ...}");
            continue;
        }
        r_.check_keys(val, {"on", "intensity", "start", "phase_in"}, name, "the lever setting '" + name + "'");
        bool on = true;  // as in scenarios: giving settings means using the lever
        if (YAML::Node n = get(val, "on"); n.IsDefined())
            if (auto b = r_.boolean(n, r_.loc(get_key(val, "on")), name, "'on'")) on = *b;
        add("_on", on ? 1 : 0);
        for (const char* f : {"intensity", "start", "phase_in"})
            if (YAML::Node n = get(val, f); n.IsDefined())
                if (auto x = r_.number(n, r_.loc(get_key(val, f)), name, std::string("lever ") + f)) {
                    if (std::string_view(f) == "intensity" && (*x < 0 || *x > 1))
                        r_.error(sim::Code::E_LEVER_INTENSITY, r_.text_loc(n), name,
                                 "lever intensity must be between 0 and 1, found " + n.Scalar());
                    else
                        add((std::string("_") + f).c_str(), *x);
                }
    }
}

void ExperimentReader::checks(const YAML::Node& node, const SourceLoc& key_loc) {
    if (node.IsNull()) return;
    if (!node.IsMap()) {
        r_.error(sim::Code::E_YAML_TYPE, key_loc, "",
                 "'checks' must be a mapping of check names to {set:, levers:, expect: ..., at: ...}");
        return;
    }
    r_.check_keys(node, {}, "", "'checks'");
    std::map<std::string, bool> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
        const YAML::Node key = it->first, val = it->second;
        if (!key.IsScalar()) continue;
        BehaviourCheck c;
        c.name = key.Scalar();
        c.loc = r_.loc(key);
        if (!seen.emplace(c.name, true).second) continue;  // a repeated key: reported by check_keys
        if (!val.IsMap()) {
            r_.error(sim::Code::E_YAML_TYPE, val.IsNull() ? c.loc : r_.loc(val), c.name,
                     "a check is a mapping such as {set: {x: 0}, expect: \"y <= 1\"}");
            continue;
        }
        const std::size_t errors = r_.diags().error_count();
        r_.check_keys(val,
                      {"doc", "set", "levers", "expect", "value", "baseline", "stocks_non_negative", "tolerance", "at",
                       "from", "to"},
                      c.name, "the check '" + c.name + "'");
        if (YAML::Node n = get(val, "doc"); n.IsDefined() && !n.IsNull())
            if (auto s = r_.scalar(n, r_.loc(get_key(val, "doc")), c.name, "'doc'")) c.doc = *s;
        if (YAML::Node n = get(val, "set"); n.IsDefined()) check_overrides(c, n, r_.loc(get_key(val, "set")));
        if (YAML::Node n = get(val, "levers"); n.IsDefined()) check_levers(c, n, r_.loc(get_key(val, "levers")));

        // The condition: exactly one of expect, value (+ baseline), stocks_non_negative.
        const YAML::Node expect = get(val, "expect"), value = get(val, "value"), base = get(val, "baseline"),
                         stocks = get(val, "stocks_non_negative");
        const int forms = expect.IsDefined() + value.IsDefined() + stocks.IsDefined();
        if (forms != 1) {
            r_.error(sim::Code::E_CHECK_FORM, c.loc, c.name,
                     forms == 0 ? "check '" + c.name + "' states no condition; give 'expect: <condition>', "
                                  "'value: <expression>' with 'baseline: higher|lower|not_lower|not_higher', or "
                                  "'stocks_non_negative: true'"
                                : "check '" + c.name + "' gives more than one of 'expect', 'value' and "
                                  "'stocks_non_negative'; make it two checks");
        }
        auto expression = [&](const YAML::Node& n, const char* k) {
            if (auto s = r_.scalar(n, r_.loc(get_key(val, k)), c.name, std::string("'") + k + "'")) {
                if (text::trim(*s).empty())
                    r_.error(sim::Code::E_CHECK_FORM, r_.loc(get_key(val, k)), c.name, std::string("'") + k + "' is empty");
                c.expression = *s;
                c.expression_loc = r_.text_loc(n);
            }
        };
        if (expect.IsDefined()) {
            c.kind = BehaviourCheck::Kind::expect;
            expression(expect, "expect");
        } else if (value.IsDefined()) {
            c.kind = BehaviourCheck::Kind::baseline;
            expression(value, "value");
            if (!base.IsDefined())
                r_.error(sim::Code::E_CHECK_FORM, r_.loc(get_key(val, "value")), c.name,
                         "'value' is compared with the baseline run: add 'baseline: higher' (or lower, not_lower, "
                         "not_higher)");
        } else if (stocks.IsDefined()) {
            c.kind = BehaviourCheck::Kind::stocks_non_negative;
            if (auto b = r_.boolean(stocks, r_.loc(get_key(val, "stocks_non_negative")), c.name, "'stocks_non_negative'");
                b && !*b)
                r_.error(sim::Code::E_CHECK_FORM, r_.text_loc(stocks), c.name,
                         "'stocks_non_negative: false' checks nothing; remove the check");
        }
        if (base.IsDefined()) {
            if (!value.IsDefined())
                r_.error(sim::Code::E_CHECK_FORM, r_.loc(get_key(val, "baseline")), c.name,
                         "'baseline' compares a 'value: <expression>' with the baseline run; add 'value:'");
            if (auto s = r_.scalar(base, r_.loc(get_key(val, "baseline")), c.name, "'baseline'")) {
                const std::string l = text::lower(*s);
                if (l == "higher") c.baseline = BehaviourCheck::Baseline::higher;
                else if (l == "lower") c.baseline = BehaviourCheck::Baseline::lower;
                else if (l == "not_lower") c.baseline = BehaviourCheck::Baseline::not_lower;
                else if (l == "not_higher") c.baseline = BehaviourCheck::Baseline::not_higher;
                else
                    r_.error(sim::Code::E_CHECK_FORM, r_.text_loc(base), c.name,
                             "'baseline' must be higher, lower, not_lower or not_higher, found '" + *s + "'");
            }
        }
        if (YAML::Node n = get(val, "tolerance"); n.IsDefined()) {
            if (auto x = r_.number(n, r_.loc(get_key(val, "tolerance")), c.name, "'tolerance'")) {
                if (!stocks.IsDefined())
                    r_.error(sim::Code::E_CHECK_FORM, r_.loc(get_key(val, "tolerance")), c.name,
                             "'tolerance' applies to 'stocks_non_negative' only");
                else if (*x < 0)
                    r_.error(sim::Code::E_CHECK_FORM, r_.text_loc(n), c.name, "'tolerance' must be 0 or positive");
                else
                    c.tolerance = *x;
            }
        }
        // When: at, or from/to.
        if (YAML::Node n = get(val, "at"); n.IsDefined()) {
            const SourceLoc al = r_.loc(get_key(val, "at"));
            std::vector<YAML::Node> items;
            if (n.IsSequence())
                for (const auto& x : n) items.push_back(x);
            else
                items.push_back(n);
            for (const auto& x : items)
                if (auto t = r_.number(x, al, c.name, "a check time")) {
                    c.at.push_back(*t);
                    c.at_loc.push_back(x.IsScalar() ? r_.text_loc(x) : al);
                }
            if (get(val, "from").IsDefined() || get(val, "to").IsDefined())
                r_.error(sim::Code::E_CHECK_FORM, al, c.name, "give either 'at' or 'from'/'to', not both");
        }
        for (const char* k : {"from", "to"})
            if (YAML::Node n = get(val, k); n.IsDefined())
                if (auto t = r_.number(n, r_.loc(get_key(val, k)), c.name, std::string("'") + k + "'"))
                    (std::string_view(k) == "from" ? c.from : c.to) = *t;
        if (c.from && c.to && *c.from > *c.to)
            r_.error(sim::Code::E_CHECK_FORM, r_.text_loc(get(val, "to")), c.name,
                     "'to' (" + text::number(*c.to) + ") is before 'from' (" + text::number(*c.from) + ")");
        if (r_.diags().error_count() != errors) continue;
        auto same = std::find_if(m_.checks.begin(), m_.checks.end(),
                                 [&](const BehaviourCheck& x) { return x.name == c.name; });
        if (same != m_.checks.end()) *same = std::move(c);
        else m_.checks.push_back(std::move(c));
    }
}

}  // namespace

void read_experiment(const Reader& r, const YAML::Node& root, ModelSpec& m, bool have_model) {
    ExperimentReader er(r, m, have_model);
    if (YAML::Node n = get(root, "uncertainties"); n.IsDefined())
        er.uncertainties(n, r.loc(get_key(root, "uncertainties")));
    if (YAML::Node n = get(root, "correlations"); n.IsDefined())
        er.correlations(n, r.loc(get_key(root, "correlations")));
    if (YAML::Node n = get(root, "checks"); n.IsDefined()) er.checks(n, r.loc(get_key(root, "checks")));
}

void finish_experiment(const ModelSpec& m, Diagnostics& diags, const std::string& skip_file) {
    std::vector<std::string> declared;
    for (const auto& u : m.uncertainties) declared.push_back(u.name);
    bool fresh = false;  // anything from a file other than skip_file
    for (const auto& u : m.uncertainties) fresh = fresh || u.loc.file != skip_file || skip_file.empty();
    bool names_ok = true;
    for (const auto& c : m.correlations) {
        const bool report = skip_file.empty() || c.loc.file != skip_file;
        fresh = fresh || report;
        for (const std::string* n : {&c.a, &c.b}) {
            const bool known = std::any_of(declared.begin(), declared.end(),
                                           [&](const std::string& d) { return canonical_name(d) == canonical_name(*n); });
            if (known) continue;
            names_ok = false;
            if (report)
                diags.error(sim::Code::E_CORRELATION, c.loc, *n,
                            "'" + *n + "' is correlated but has no entry under 'uncertainties:'" + hint(*n, declared));
        }
    }
    if (!names_ok || !fresh || m.correlations.empty()) return;
    std::vector<Uncertainty> valid;
    for (const auto& u : m.uncertainties) valid.push_back(u);
    const auto c = correlation_matrix(valid, m.correlations);
    if (!positive_definite(c, valid.size())) {
        std::string names;
        std::vector<std::string> listed;
        for (const auto& rc : m.correlations)
            for (const std::string* n : {&rc.a, &rc.b})
                if (std::find(listed.begin(), listed.end(), canonical_name(*n)) == listed.end()) {
                    listed.push_back(canonical_name(*n));
                    names += (names.empty() ? "" : ", ") + *n;
                }
        // Report at the first correlation of a file that is not skipped.
        SourceLoc at = m.correlations.front().loc;
        for (const auto& rc : m.correlations)
            if (skip_file.empty() || rc.loc.file != skip_file) {
                at = rc.loc;
                break;
            }
        diags.error(sim::Code::E_CORRELATION_MATRIX, at, "",
                    "the rank correlations among " + names +
                        " cannot hold together (their matrix is not positive definite); weaken some of them");
    }
}

}  // namespace sim::yaml_detail
