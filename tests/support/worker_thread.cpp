#include "tests/support/worker_thread.h"

#include <exception>
#include <utility>

namespace weft::testing {

void FailureLog::Record(std::string message) {
  std::lock_guard lock(mu_);
  messages_.push_back(std::move(message));
}

bool FailureLog::ExpectOk(const Status& status, std::string_view context) {
  if (!status.ok()) Record(std::string(context) + ": " + status.ToString());
  return status.ok();
}

bool FailureLog::Expect(bool condition, std::string_view message) {
  if (!condition) Record(std::string(message));
  return condition;
}

bool FailureLog::empty() const {
  std::lock_guard lock(mu_);
  return messages_.empty();
}

std::vector<std::string> FailureLog::Messages() const {
  std::lock_guard lock(mu_);
  return messages_;
}

std::string FailureLog::Summary() const {
  std::lock_guard lock(mu_);
  if (messages_.empty()) return std::string(kNoFailures);
  return std::to_string(messages_.size()) + " failure(s), first: " + messages_.front();
}

void WorkerThread::Run(std::function<void(FailureLog&, std::stop_token)> body) {
  thread_ = std::jthread([this, body = std::move(body)](std::stop_token stop) {
    try {
      body(failures_, std::move(stop));
    } catch (const std::exception& error) {
      failures_.Record(std::string("worker threw: ") + error.what());
    } catch (...) {
      failures_.Record("worker threw a non-standard exception");
    }
  });
}

WorkerThread::~WorkerThread() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

std::string WorkerThread::Join() {
  if (thread_.joinable()) thread_.join();
  return failures_.Summary();
}

}  // namespace weft::testing
