# exercise: PositionwiseFeedForward
# diagnosis: activation_placement
# source: https://github.com/goruck/nilm/issues/1 (goruck/nilm#1)
# reported: PositionwiseFeedForward returned activation(fully_connected2(fully_connected1(x))): the activation sat after the second layer instead of between the two, so the two linear layers collapse into one
# file: layers.py
class PositionwiseFeedForward(nn.Module):
    def __init__(self, d_model, d_ff, dropout=0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        x_fc1 = self.linear1(x)
        return torch.relu(self.linear2(self.dropout(x_fc1)))
