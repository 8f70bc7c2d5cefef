"""Recurrent networks: the vanilla RNN's forward pass and BPTT gradient, LSTM and GRU cells, parameter counts."""

from examprep.registry import register

register("rnn/rnn_forward-v1", "examprep.problems.rnn.rnn_forward:RNNForward",
         title="Forward pass and BPTT gradient of a vanilla RNN",
         parts=("h", "logits", "probs", "class", "factors", "grad_h0"),
         catalog="seed_002 F1, F3; seed_004 B1; seed_000_001 D1")
register("rnn/lstm_cell-v1", "examprep.problems.rnn.lstm_cell:LSTMCell", title="One step of an LSTM cell",
         parts=("i", "f", "g", "o", "c", "h"), catalog="seed_002 F5")
register("rnn/gru_cell-v1", "examprep.problems.rnn.gru_cell:GRUCell", title="One step of a GRU cell",
         parts=("r", "z", "n", "h"), catalog="seed_002 F6")
