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
register("rnn/param_count-v1", "examprep.problems.rnn.param_count:ParamCount",
         title="Parameters of RNN, LSTM and GRU layers", parts=("gate_block", "first_layer", "output_params", "total"),
         catalog="seed_002 F2; seed_004 B1")
register("rnn/truncated_bptt-v1", "examprep.problems.rnn.truncated_bptt:TruncatedBPTT",
         title="Truncated BPTT: updates and backward steps", parts=("updates", "backward_steps"), catalog="seed_002 F4")
register("rnn/elmo_mix-v1", "examprep.problems.rnn.elmo_mix:ElmoMix", title="ELMo: mixing the biLM layers",
         parts=("s", "elmo"), catalog="seed_002 G")
register("rnn/soft_hard_attention-v1", "examprep.problems.rnn.soft_hard_attention:SoftHardAttention",
         title="Soft and hard attention over region features", parts=("weights", "soft", "hard_index", "hard"),
         catalog="seed_002 G4")
register("rnn/beam_search-v1", "examprep.problems.rnn.beam_search:BeamSearch",
         title="Greedy decoding and beam search", parts=("greedy", "greedy_logprob", "beam", "beam_logprob", "best"),
         catalog="seed_002 G2")
