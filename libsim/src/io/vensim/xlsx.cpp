// Reading .xlsx workbooks for GET XLS/DIRECT: an .xlsx is a zip archive of
// XML parts (libzip + pugixml). Only numbers are read (strings, errors and
// booleans are blank cells). Bounded: the archive's size, each part's
// decompressed size (read in chunks, stopped at the bound, whatever the
// archive's directory claims: a zip bomb costs at most the bound), and the
// cells of a sheet.
#include <zip.h>

#include <cstring>
#include <pugixml.hpp>

#include "io/vensim/data.hpp"
#include "util/text.hpp"

namespace sim::vensim {
namespace {

struct Archive {
    zip_t* z = nullptr;
    ~Archive() {
        if (z) zip_discard(z);
    }
};

// One part of the archive, decompressed; false with `err` if missing or too large.
bool read_part(zip_t* z, const std::string& name, std::string& out, std::string& err) {
    zip_file_t* f = zip_fopen(z, name.c_str(), 0);
    if (!f) {
        err = "the workbook has no part '" + name + "'";
        return false;
    }
    out.clear();
    char buf[65536];
    for (;;) {
        zip_int64_t n = zip_fread(f, buf, sizeof buf);
        if (n < 0) {
            err = "cannot decompress part '" + name + "' of the workbook";
            zip_fclose(f);
            return false;
        }
        if (n == 0) break;
        if (out.size() + static_cast<std::size_t>(n) > max_xlsx_part_bytes) {
            err = "part '" + name + "' of the workbook decompresses to more than " +
                  std::to_string(max_xlsx_part_bytes >> 20) + " MiB";
            zip_fclose(f);
            return false;
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
    zip_fclose(f);
    return true;
}

}  // namespace

// "B12" -> row 11, column 1 (0-based); false if not a cell reference.
bool parse_cell(std::string_view s, std::size_t& row, std::size_t& col) {
    std::size_t i = 0, c = 0, r = 0;
    while (i < s.size() && s[i] == '$') ++i;
    std::size_t letters = 0;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) {
        c = c * 26 + static_cast<std::size_t>(std::toupper(static_cast<unsigned char>(s[i])) - 'A' + 1);
        if (++letters > 3) return false;
        ++i;
    }
    while (i < s.size() && s[i] == '$') ++i;
    std::size_t digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        r = r * 10 + static_cast<std::size_t>(s[i] - '0');
        if (++digits > 7) return false;
        ++i;
    }
    if (i != s.size() || letters == 0 || digits == 0 || r == 0) return false;
    row = r - 1;
    col = c - 1;
    return true;
}

bool read_xlsx(const std::string& path, Workbook& wb, std::string& err) {
    if (!data_file_fits(path, err)) return false;
    int zerr = 0;
    Archive a;
    a.z = zip_open(path.c_str(), ZIP_RDONLY, &zerr);
    if (!a.z) {
        err = "'" + path + "' is not a readable .xlsx (zip) file";
        return false;
    }
    std::string text;
    if (!read_part(a.z, "xl/workbook.xml", text, err)) return false;
    pugi::xml_document book;
    if (!book.load_buffer(text.data(), text.size())) {
        err = "the workbook part of '" + path + "' is not well-formed XML";
        return false;
    }
    std::string rels_text;
    if (!read_part(a.z, "xl/_rels/workbook.xml.rels", rels_text, err)) return false;
    pugi::xml_document rels;
    rels.load_buffer(rels_text.data(), rels_text.size());
    std::map<std::string, std::string> target;  // relationship id -> part
    for (auto r : rels.child("Relationships").children("Relationship")) {
        std::string t = r.attribute("Target").as_string();
        if (!t.empty() && t[0] == '/') t = t.substr(1);
        else t = "xl/" + t;
        target[r.attribute("Id").as_string()] = t;
    }
    std::vector<std::string> sheet_names;
    for (auto s : book.child("workbook").child("sheets").children("sheet")) {
        std::string name = s.attribute("name").as_string();
        std::string rid = s.attribute("r:id").as_string();
        sheet_names.push_back(name);
        auto it = target.find(rid);
        if (it == target.end()) continue;
        std::string sheet_text;
        if (!read_part(a.z, it->second, sheet_text, err)) return false;
        pugi::xml_document sd;
        if (!sd.load_buffer(sheet_text.data(), sheet_text.size())) {
            err = "sheet '" + name + "' of '" + path + "' is not well-formed XML";
            return false;
        }
        Grid& g = wb.sheets[text::lower(name)];
        std::size_t cells = 0;
        for (auto row : sd.child("worksheet").child("sheetData").children("row")) {
            for (auto c : row.children("c")) {
                std::size_t r = 0, col = 0;
                if (!parse_cell(c.attribute("r").as_string(), r, col)) continue;
                std::string t = c.attribute("t").as_string();
                if (!t.empty() && t != "n") continue;
                auto v = text::parse_number(c.child_value("v"));
                if (!v) continue;
                if (++cells > max_data_cells) {
                    err = "sheet '" + name + "' of '" + path + "' has more than " + std::to_string(max_data_cells) + " cells";
                    return false;
                }
                if (g.size() <= r) g.resize(r + 1);
                if (g[r].size() <= col) g[r].resize(col + 1);
                g[r][col] = v.value;
            }
        }
    }
    for (auto n : book.child("workbook").child("definedNames").children("definedName")) {
        std::string ref = n.child_value();
        std::string name = text::lower(n.attribute("name").as_string());
        NamedRange nr;
        auto bang = ref.rfind('!');
        if (bang == std::string::npos) continue;
        nr.sheet = ref.substr(0, bang);
        if (nr.sheet.size() >= 2 && nr.sheet.front() == '\'') nr.sheet = nr.sheet.substr(1, nr.sheet.size() - 2);
        nr.sheet = text::lower(nr.sheet);
        std::string cells = ref.substr(bang + 1);
        auto colon = cells.find(':');
        if (!parse_cell(cells.substr(0, colon), nr.r0, nr.c0)) continue;
        nr.r1 = nr.r0;
        nr.c1 = nr.c0;
        if (colon != std::string::npos && !parse_cell(cells.substr(colon + 1), nr.r1, nr.c1)) continue;
        std::string scope;
        if (auto local = n.attribute("localSheetId")) {
            auto i = static_cast<std::size_t>(local.as_uint());
            if (i < sheet_names.size()) scope = text::lower(sheet_names[i]);
        }
        wb.names[{scope, name}] = nr;
    }
    return true;
}

}  // namespace sim::vensim
