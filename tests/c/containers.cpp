// C++ on libc++ (Debian's libc++-14 for wasm32-wasi): iostreams, strings,
// vectors, maps and an fstream, with arguments and environment.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

int main(int argc, char **argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::cout << "arguments:";
    for (const auto &arg : args) std::cout << " [" << arg << "]";
    std::cout << "\n";
    const char *greeting = std::getenv("GREETING");
    std::cout << "GREETING=" << (greeting ? greeting : "(unset)") << std::endl;

    std::map<std::string, int> words;
    std::vector<std::string> text;
    for (int i = 0; i < 20000; i++) {
        std::ostringstream word;
        word << "w" << (i * 7919) % 1000;
        text.push_back(word.str());
        words[word.str()]++;
    }
    std::sort(text.begin(), text.end());
    text.erase(std::unique(text.begin(), text.end()), text.end());
    std::string joined = std::accumulate(text.begin(), text.end(), std::string(),
                                         [](std::string a, const std::string &b) { return a + b; });
    std::cout << "distinct words " << words.size() << ", unique " << text.size() << ", joined length "
              << joined.size() << "\n";
    std::cerr << "most common count " << std::max_element(words.begin(), words.end(), [](auto &a, auto &b) {
                     return a.second < b.second;
                 })->second << std::endl;

    if (args.size() >= 1) {
        std::string path = args[0] + "/cpp-out.txt";
        {
            std::ofstream out(path);
            for (int i = 0; i < 100; i++) out << "line " << i << "\n";
        }
        std::ifstream in(path);
        std::string line;
        int lines = 0;
        while (std::getline(in, line)) lines++;
        std::cout << "wrote and read back " << lines << " lines" << std::endl;
    }
    return args.size() >= 2 ? 7 : 0;
}
