// A stand-in chaincode for the binary launcher tests: it checks the environment it
// was started with against a `behaviour` file in its working folder (the build
// folder, a copy of the package's src/), then exits or waits as told.
//   expect NAME=VALUE   the variable must have exactly this value
//   unset NAME          the variable must not be set
//   file NAME PATH      the file the variable names must hold the bytes of PATH
//   exit N              the exit code when every check passed (default 0)
//   wait-term           then wait for SIGTERM and exit with that code
//   ignore-term         then ignore SIGTERM and wait to be killed
// Once the checks are done and signals are set up it creates `ready` in its folder.
// Mismatches go to stderr and make it exit 3.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

namespace {

volatile sig_atomic_t exit_code = 0;

void ExitOnTerm(int) { _exit(exit_code); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "<cannot read " + path + ">";
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char**) {
  const char* id = std::getenv("CORE_CHAINCODE_ID_NAME");
  std::cout << "test chaincode running as " << (id != nullptr ? id : "<none>") << std::endl;
  std::cerr << "test chaincode stderr line" << std::endl;
  int mismatches = 0;
  if (argc != 1) {
    std::cerr << "expected no arguments, got " << argc - 1 << std::endl;
    ++mismatches;
  }
  std::string mode = "exit";
  std::ifstream behaviour("behaviour");
  for (std::string line; std::getline(behaviour, line);) {
    std::istringstream words(line);
    std::string verb;
    words >> verb;
    if (verb == "expect") {
      std::string rest;
      std::getline(words >> std::ws, rest);
      const std::string name = rest.substr(0, rest.find('='));
      const std::string want = rest.substr(rest.find('=') + 1);
      const char* got = std::getenv(name.c_str());
      if (got == nullptr || want != got) {
        std::cerr << "mismatch: " << name << "=" << (got != nullptr ? got : "<unset>") << ", want "
                  << want << std::endl;
        ++mismatches;
      }
    } else if (verb == "unset") {
      std::string name;
      words >> name;
      if (std::getenv(name.c_str()) != nullptr) {
        std::cerr << "mismatch: " << name << " is set" << std::endl;
        ++mismatches;
      }
    } else if (verb == "file") {
      std::string name;
      std::string path;
      words >> name >> path;
      const char* got = std::getenv(name.c_str());
      if (got == nullptr || ReadFile(got) != ReadFile(path)) {
        std::cerr << "mismatch: the file named by " << name << " differs from " << path
                  << std::endl;
        ++mismatches;
      }
    } else if (verb == "exit") {
      int code = 0;
      words >> code;
      exit_code = code;
    } else if (verb == "wait-term" || verb == "ignore-term") {
      mode = verb;
    }
  }
  if (mismatches > 0) return 3;
  if (mode == "wait-term") signal(SIGTERM, ExitOnTerm);
  if (mode == "ignore-term") signal(SIGTERM, SIG_IGN);
  std::ofstream("ready") << "ready\n";
  if (mode == "exit") return exit_code;
  while (true) pause();
}
