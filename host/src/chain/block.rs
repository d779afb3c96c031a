//! Blocks: deployed contracts, the pre-state they run on, and an ordered list of transactions.
//!
//! File format (JSON; every word a canonical Goldilocks integer):
//! ```text
//! { "contracts": [{"address": 1, "name": "token", "calldata_len": 2, "source": "<asm>"}, ...],
//!   "pre_state": { <a state file: see docs/state.md> },
//!   "txs": [{"sender": 7, "contract": 1, "calldata": [9, 100]}, ...] }
//! ```
//! `calldata_len` counts the words after the sender that the chain prefixes.

use std::collections::BTreeMap;
use std::path::Path;

use plonky2::field::types::{Field, Field64};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::hash::F;
use super::state::{State, StateError};
use super::tx::{Slot, Transaction};
use crate::vm::{assemble, Program};

/// A contract deployed at an address.
#[derive(Clone, Debug)]
pub struct Contract {
    pub address: u64,
    pub name: String,
    /// Calldata words a transaction must carry (the sender not counted).
    pub calldata_len: usize,
    pub source: String,
    pub program: Program,
}

#[derive(Clone, Debug)]
pub struct Block {
    pub contracts: BTreeMap<u64, Contract>,
    pub pre_state: State,
    pub txs: Vec<Transaction>,
}

#[derive(Debug, Error)]
pub enum BlockError {
    #[error("block file I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("block file is not valid JSON of the expected shape: {0}")]
    Json(#[from] serde_json::Error),
    #[error("pre-state: {0}")]
    State(#[from] StateError),
    #[error("contract `{name}` at address {address}: {msg}")]
    Contract { name: String, address: u64, msg: String },
    #[error("two contracts at address {0}")]
    DuplicateContract(u64),
    #[error("transaction {index}: {msg}")]
    Tx { index: usize, msg: String },
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockFile {
    contracts: Vec<ContractFile>,
    pre_state: serde_json::Value,
    txs: Vec<TxFile>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContractFile {
    address: u64,
    name: String,
    calldata_len: usize,
    source: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TxFile {
    sender: u64,
    contract: u64,
    calldata: Vec<u64>,
}

impl Contract {
    pub fn new(address: u64, name: &str, calldata_len: usize, source: &str) -> Result<Contract, BlockError> {
        let err = |msg: String| BlockError::Contract { name: name.to_string(), address, msg };
        if address >= F::ORDER {
            return Err(err("address is not a canonical field element".into()));
        }
        let program = assemble(&format!("{name}.asm"), source).map_err(|e| err(e.to_string()))?;
        Ok(Contract { address, name: name.to_string(), calldata_len, source: source.to_string(), program })
    }
}

impl Block {
    /// Builds a block, checking that every transaction names a deployed contract with calldata of
    /// the contract's size, and that every word is canonical.
    pub fn new(contracts: Vec<Contract>, pre_state: State, txs: Vec<Transaction>) -> Result<Block, BlockError> {
        let mut by_address = BTreeMap::new();
        for c in contracts {
            let address = c.address;
            if by_address.insert(address, c).is_some() {
                return Err(BlockError::DuplicateContract(address));
            }
        }
        for (index, tx) in txs.iter().enumerate() {
            let err = |msg: String| Err(BlockError::Tx { index, msg });
            let Some(c) = by_address.get(&tx.contract) else {
                return err(format!("calls address {}, where no contract is deployed", tx.contract));
            };
            if tx.calldata.len() != c.calldata_len {
                return err(format!("`{}` takes {} calldata words, got {}", c.name, c.calldata_len, tx.calldata.len()));
            }
            if let Some(w) = std::iter::once(&tx.sender).chain(&tx.calldata).find(|&&w| w >= F::ORDER) {
                return err(format!("word {w} is not a canonical field element"));
            }
        }
        Ok(Block { contracts: by_address, pre_state, txs })
    }

    /// A slot's value in the pre-state.
    pub fn pre_value(&self, (address, key): Slot) -> F {
        self.pre_state.get(F::from_canonical_u64(address), F::from_canonical_u64(key))
    }

    pub fn to_json(&self) -> String {
        let file = BlockFile {
            contracts: self
                .contracts
                .values()
                .map(|c| ContractFile { address: c.address, name: c.name.clone(), calldata_len: c.calldata_len, source: c.source.clone() })
                .collect(),
            pre_state: serde_json::from_str(&self.pre_state.to_json()).expect("the state writes valid JSON"),
            txs: self.txs.iter().map(|t| TxFile { sender: t.sender, contract: t.contract, calldata: t.calldata.clone() }).collect(),
        };
        serde_json::to_string(&file).expect("a block always serialises")
    }

    pub fn from_json(text: &str) -> Result<Block, BlockError> {
        let file: BlockFile = serde_json::from_str(text)?;
        let contracts = file
            .contracts
            .iter()
            .map(|c| Contract::new(c.address, &c.name, c.calldata_len, &c.source))
            .collect::<Result<Vec<_>, _>>()?;
        let pre_state = State::from_json(&file.pre_state.to_string())?;
        let txs = file.txs.into_iter().map(|t| Transaction { sender: t.sender, contract: t.contract, calldata: t.calldata }).collect();
        Block::new(contracts, pre_state, txs)
    }

    pub fn save(&self, path: &Path) -> Result<(), BlockError> {
        Ok(std::fs::write(path, self.to_json())?)
    }

    pub fn load(path: &Path) -> Result<Block, BlockError> {
        Block::from_json(&std::fs::read_to_string(path)?)
    }
}
