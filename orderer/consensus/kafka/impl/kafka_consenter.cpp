#include "orderer/consensus/kafka/kafka_consenter.h"

#include <utility>

#include "orderer/consensus/kafka/impl/connectivity_board.h"
#include "orderer/consensus/kafka/impl/kafka_chain.h"

namespace weft::orderer::consensus::kafka {

KafkaConsenter::KafkaConsenter(KafkaConsenterOptions options,
                               std::shared_ptr<common::log::Logger> logger)
    : options_(std::move(options)),
      logger_(std::move(logger)),
      board_(std::make_shared<impl::ConnectivityBoard>()) {}

KafkaConsenter::~KafkaConsenter() = default;

StatusOr<std::unique_ptr<Chain>> KafkaConsenter::HandleChain(ConsenterSupport& support) {
  WEFT_ASSIGN_OR_RETURN(std::unique_ptr<impl::KafkaChain> chain,
                        impl::KafkaChain::Create(support, options_, logger_, board_));
  return std::unique_ptr<Chain>(std::move(chain));
}

Status KafkaConsenter::Connectivity() const { return board_->Summary(); }

}  // namespace weft::orderer::consensus::kafka
