// The depth of each node of a call graph (macros calling macros), found by
// an iterative depth-first walk, so that a long chain of calls does not
// recurse here: 1 for a node that calls none, else 1 + the deepest node it
// calls. A call back into a node still on the walk's path (recursion) adds
// nothing to the depth; on_cycle(j, path) is told of it, `path` the nodes
// from the walk's root to the caller. Used by the XMILE and Vensim readers
// to bound macro nesting by Limits::depth before anything is expanded.
#pragma once

#include <algorithm>
#include <cstddef>
#include <set>
#include <utility>
#include <vector>

namespace sim::util {

template <class OnCycle>
std::vector<std::size_t> call_depths(const std::vector<std::set<std::size_t>>& calls, OnCycle&& on_cycle) {
    std::vector<std::size_t> depth(calls.size(), 0);
    std::vector<char> state(calls.size(), 0);  // 1 = on the path, 2 = done
    std::vector<std::pair<std::size_t, std::set<std::size_t>::const_iterator>> stack;
    std::vector<std::size_t> path;
    for (std::size_t root = 0; root < calls.size(); ++root) {
        if (state[root]) continue;
        stack.emplace_back(root, calls[root].begin());
        path.push_back(root);
        state[root] = 1;
        while (!stack.empty()) {
            const std::size_t i = stack.back().first;
            auto& it = stack.back().second;
            if (it != calls[i].end()) {
                const std::size_t j = *it++;
                if (state[j] == 0) {
                    state[j] = 1;
                    stack.emplace_back(j, calls[j].begin());
                    path.push_back(j);
                } else if (state[j] == 1) {
                    on_cycle(j, static_cast<const std::vector<std::size_t>&>(path));
                }
                continue;
            }
            std::size_t deepest = 0;
            for (std::size_t j : calls[i])
                if (state[j] == 2) deepest = std::max(deepest, depth[j]);
            depth[i] = deepest + 1;
            state[i] = 2;
            stack.pop_back();
            path.pop_back();
        }
    }
    return depth;
}

}  // namespace sim::util
