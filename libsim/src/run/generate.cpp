// The code generator (sim/generate.hpp): generate_cpp writes a model's
// header and source around its kernel (generate_kernel.cpp: a Program
// written out as C++ functions over its slot vector, a sim::Kernel),
// generate_kernel_source a self-contained kernel for native mode; the
// program fingerprint.
#include "sim/generate.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "compile/program.hpp"
#include "run/generate_detail.hpp"
#include "sim/kernel.hpp"
#include "sim/scenario.hpp"
#include "sim/version.hpp"

namespace sim {

namespace detail {
// The headers a self-contained kernel source copies in (embedded_headers.cpp,
// made by CMake from sim/ops.hpp and sim/kernel.hpp).
extern const char* const embedded_ops_hpp;
extern const char* const embedded_kernel_hpp;
extern const char* const embedded_ops_vector_hpp;
}  // namespace detail

namespace {

using detail::Code;
using detail::Instr;
using detail::Program;
using detail::Slot;

// Bumped whenever the generated code would compute differently for the same
// program (part of the fingerprint, with kernel_abi_version). 2: the vector
// functions are generated (sim/ops_vector.hpp). 3: a stock's net flow starts
// from its first term (drive_euler), not from 0 + it.
constexpr int generator_revision = 3;

struct Bytes {
    std::string b;
    template <class T>
    void put(const T& v) {
        b.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    void put_str(const std::string& s) {
        put(static_cast<std::uint64_t>(s.size()));
        b += s;
    }
};

std::string fingerprint_of(const Program& p) {
    Bytes x;
    x.put(kernel_abi_version);
    x.put(generator_revision);
    x.put(static_cast<std::uint64_t>(p.slots.size()));
    for (double v : p.slots) x.put(std::bit_cast<std::uint64_t>(v));
    for (Slot s : {p.stock_begin, p.stock_count, p.pool_begin, p.temp_begin}) x.put(s);
    for (const auto* tape : {&p.initial_tape, &p.flow_tape}) {
        x.put(static_cast<std::uint64_t>(tape->size()));
        for (const Instr& in : *tape) {
            x.put(static_cast<std::uint8_t>(in.op));
            for (Slot s : {in.dst, in.a, in.b, in.c, in.d}) x.put(s);
        }
    }
    for (const auto* terms : {&p.inflow_terms, &p.outflow_terms}) {
        x.put(static_cast<std::uint64_t>(terms->size()));
        for (const auto& t : *terms) {
            x.put(t.stock);
            x.put(t.flow);
        }
    }
    x.put(static_cast<std::uint64_t>(p.stock_flows.size()));
    for (const auto& g : p.stock_flows)
        for (auto v : {g.stock, g.in_begin, g.out_begin, g.end}) x.put(v);
    x.put(static_cast<std::uint64_t>(p.flow_slots.size()));
    for (Slot s : p.flow_slots) x.put(s);
    x.put(static_cast<std::uint64_t>(p.nonneg_stocks.size()));
    for (auto i : p.nonneg_stocks) x.put(i);
    x.put(static_cast<std::uint64_t>(p.tables.size()));
    for (const auto& t : p.tables) {
        x.put(static_cast<int>(t.kind));
        x.put(static_cast<std::uint64_t>(t.x.size()));
        for (double v : t.x) x.put(std::bit_cast<std::uint64_t>(v));
        for (double v : t.y) x.put(std::bit_cast<std::uint64_t>(v));
    }
    x.put(static_cast<std::uint64_t>(p.vector_ops.size()));
    for (const auto& v : p.vector_ops) {
        x.put(static_cast<std::uint8_t>(v.kind));
        for (const auto* l : {&v.a, &v.b}) {
            x.put(static_cast<std::uint64_t>(l->size()));
            for (Slot s : *l) x.put(s);
        }
        for (auto u : {v.p0, v.p1, v.k}) x.put(u);
    }
    x.put(static_cast<std::uint64_t>(p.delays.size()));
    for (const auto& d : p.delays)
        for (Slot s : {d.out, d.input, d.delay_time}) x.put(s);
    x.put(static_cast<std::uint64_t>(p.previous.size()));
    for (const auto& pr : p.previous)
        for (Slot s : {pr.out, pr.input}) x.put(s);
    x.put(static_cast<std::uint64_t>(p.vars.size()));
    for (const auto& v : p.vars) {
        x.put_str(v.canonical);
        x.put(v.slot);
        x.put(static_cast<int>(v.kind));
    }
    return sha256_hex(x.b);
}

bool is_identifier(const std::string& s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return true;
}
using detail::comment_text;


const char* const preamble_includes =
    "#include <algorithm>\n#include <bit>\n#include <cstdint>\n";

std::string guard_name(const GenerateOptions& o) {
    if (!is_identifier(o.name))
        throw Error(sim::Code::E_GENERATE, "",
                    "the generated class name '" + o.name +
                        "' is not a C++ identifier; use letters, digits and _ (not first a digit)");
    if (!o.name_space.empty()) {
        // a::b is allowed: each part an identifier.
        std::string part;
        std::istringstream ss(o.name_space);
        std::string ns = o.name_space;
        for (std::size_t pos = 0;;) {
            const std::size_t next = ns.find("::", pos);
            part = ns.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
            if (!is_identifier(part))
                throw Error(sim::Code::E_GENERATE, "",
                            "the generated class's namespace '" + o.name_space + "' is not a C++ namespace name");
            if (next == std::string::npos) break;
            pos = next + 2;
        }
    }
    return o.name;
}

std::string strip_pragma_once(std::string text) {
    const std::string p = "#pragma once\n";
    if (auto at = text.find(p); at != std::string::npos) text.erase(at, p.size());
    return text;
}

}  // namespace

std::string program_fingerprint(const Model& model) { return fingerprint_of(detail::program_of(model)); }


GeneratedCode generate_cpp(const Model& model, const GenerateOptions& o) {
    const Program& p = detail::program_of(model);
    const std::string name = guard_name(o);
    GeneratedCode g;
    g.fingerprint = fingerprint_of(p);
    const bool with_class = !o.source_text.empty();
    const std::string ns_open = o.name_space.empty() ? "" : "namespace " + o.name_space + " {\n\n";
    const std::string ns_close = o.name_space.empty() ? "" : "}  // namespace " + o.name_space + "\n";
    const std::string qual = o.name_space.empty() ? name : o.name_space + "::" + name;
    const std::string from = o.source_path.empty() ? "a model built in code" : comment_text(o.source_path);

    std::ostringstream h;
    h << "// " << name << ".hpp: the model '" << comment_text(p.spec.name) << "' (" << from
      << ") compiled ahead of time\n"
      << "// by libsim " << SIM_VERSION_STRING << ". Generated by `sdsim generate`: do not edit; regenerate instead.\n"
      << "#pragma once\n\n#include <sim/generated.hpp>\n\n"
      << ns_open;
    if (with_class) {
        h << "// A sim::Model whose runs use the generated code (results identical to the\n"
          << "// interpreter's). Constructing one compiles the embedded model file and\n"
          << "// throws sim::Error (E-GENERATED-MISMATCH) if this libsim compiles it to\n"
          << "// another program than the one the code was generated from.\n"
          << "class " << name << " : public sim::Model {\n"
          << "public:\n"
          << "    " << name << "();\n"
          << "    static const sim::Kernel& kernel();\n"
          << "};\n\n";
    } else {
        h << "// The generated code: attach it with sim::attach_kernel(model, " << name << "_kernel()).\n"
          << "const sim::Kernel& " << name << "_kernel();\n\n";
    }
    h << ns_close;
    g.header = h.str();

    const detail::KernelCode k = detail::kernel_code(p, o, "kernel_def", o.source_text, o.source_path, g.fingerprint);
    std::ostringstream s;
    s << "// " << name << ".cpp: generated by libsim " << SIM_VERSION_STRING << " from " << from
      << "; do not edit.\n"
      << "// Compile without -ffast-math and with -ffp-contract=off: the results are then\n"
      << "// the interpreter's, bit for bit.\n"
      << "#include \"" << name << ".hpp\"\n\n"
      << preamble_includes << "\n#include <sim/ops.hpp>\n"
      << (p.vector_ops.empty() ? "" : "#include <sim/ops_vector.hpp>\n") << "\n"
      << k.text << "\n";
    if (with_class) {
        s << "const sim::Kernel& " << qual << "::kernel() { return kernel_def; }\n\n"
          << qual << "::" << name << "() : sim::Model(sim::model_from_kernel(kernel_def)) {}\n";
    } else {
        s << "const sim::Kernel& " << qual << "_kernel() { return kernel_def; }\n";
    }
    g.source = s.str();
    g.functions = k.functions;
    g.locals = k.locals;
    return g;
}

std::string generate_kernel_source(const Model& model, const GenerateOptions& o) {
    const Program& p = detail::program_of(model);
    const std::string kernel = detail::kernel_code(p, o, "kernel_def", "", "", fingerprint_of(p)).text;
    std::ostringstream s;
    s << "// A libsim kernel for the model '" << comment_text(p.spec.name) << "' (native mode).\n"
      << preamble_includes << "\n"
      << strip_pragma_once(detail::embedded_kernel_hpp) << "\n"
      << strip_pragma_once(detail::embedded_ops_hpp) << "\n"
      << (p.vector_ops.empty() ? "" : strip_pragma_once(detail::embedded_ops_vector_hpp) + "\n")
      << kernel << "\n"
      << "extern \"C\" __attribute__((visibility(\"default\"))) const sim::Kernel* sim_kernel() { return &kernel_def; }\n";
    return s.str();
}

}  // namespace sim
